import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import type { AgentProcess } from './harness/agent-process.js';
import { runCli, runCliInTerminal } from './harness/cli-process.js';
import { DOCKER_DEFAULT_CAPS, useContainerAgent } from './harness/container-agent.js';
import { until } from './harness/until.js';

describe('containers: exec, run -it and attach', () => {
  const suite = useContainerAgent();
  const { cli, inspect, runDetached } = suite;
  let agent: AgentProcess;
  let image: string;
  before(() => {
    ({ agent, image } = suite);
  });

  test('exec runs inside the container with its namespaces, user, env and workdir, and returns the exit code', async () => {
    const id = await runDetached('--name', 'target', '-e', 'FROM_RUN=1', image, 'sleep', '300');
    const plain = await cli(
      'exec',
      '-e',
      'EXTRA=2',
      '-w',
      '/tmp',
      'target',
      'sh',
      '-c',
      'echo $FROM_RUN$EXTRA; pwd; hostname; cat /proc/1/cmdline | tr "\\0" " "; echo; echo oops >&2; exit 5',
    );
    assert.equal(plain.code, 5, plain.stderr);
    assert.equal(plain.stdout, `12\n/tmp\n${id.slice(0, 12)}\nsleep 300 \n`, 'same pid and uts namespaces');
    assert.equal(plain.stderr, 'oops\n');
    assert.equal((await cli('exec', '-u', 'nobody', 'target', 'id', '-u')).stdout, '65534\n');
    const caps = await cli('exec', 'target', 'grep', '-E', 'CapEff|Seccomp:', '/proc/self/status');
    assert.match(caps.stdout, new RegExp(`CapEff:\\s+${DOCKER_DEFAULT_CAPS}`));
    assert.match(caps.stdout, /Seccomp:\s+2/);
    const piped = await runCli(
      ['-H', agent.host, 'exec', '-i', 'target', 'sh', '-c', 'cat | wc -l'],
      {},
      20_000,
      'a\nb\nc\n',
    );
    assert.equal(piped.stdout.trim(), '3', 'stdin reaches the process and its end closes it');
    const missing = await cli('exec', 'target', 'no-such-tool');
    assert.equal(missing.code, 127, missing.stderr);
    assert.equal((await cli('exec', '-d', 'target', 'sh', '-c', 'echo detached > /tmp/mark')).code, 0);
    await until(
      'the detached exec to run',
      async () => (await cli('exec', 'target', 'cat', '/tmp/mark')).stdout === 'detached\n',
    );

    const terminal = await runCliInTerminal(
      ['-H', agent.host, 'exec', '-it', 'target', 'sh', '-c', 'tty; stty size; sleep 1; stty size'],
      { cols: 100, rows: 30 },
      async (term, output) => {
        await until('the first size', async () => output().includes('30 100'));
        term.resize(120, 40);
      },
    );
    assert.equal(terminal.code, 0, terminal.output);
    assert.match(terminal.output, /\/dev\/pts\/\d+/);
    assert.match(terminal.output, /30 100[\s\S]*40 120/, 'the terminal size follows the client');

    const stopped = await runDetached(image, 'true');
    await cli('wait', stopped);
    const refused = await cli('exec', stopped, 'true');
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /is not running/);
    await cli('rm', '-f', id, stopped);
  });

  test('run -it gives a real terminal that follows resizes; run -i takes piped stdin; attach joins a running -it container', async () => {
    const session = await runCliInTerminal(
      ['-H', agent.host, 'run', '-it', '--rm', image, 'sh'],
      { cols: 90, rows: 20 },
      async (term, output) => {
        await until('the prompt', async () => output().includes('# '));
        term.write('stty size; echo $((6*7))\r');
        await until('the answer', async () => /42/.test(output()));
        term.resize(110, 33);
        await new Promise((resolve) => setTimeout(resolve, 300));
        term.write('stty size; exit 4\r');
      },
    );
    assert.equal(session.code, 4, session.output);
    assert.match(session.output, /20 90[\s\S]*42[\s\S]*33 110/);

    const piped = await runCli(
      ['-H', agent.host, 'run', '-i', '--rm', image, 'sh', '-c', 'cat | wc -l'],
      {},
      20_000,
      'one\ntwo\n',
    );
    assert.equal(piped.code, 0, piped.stderr);
    assert.equal(piped.stdout.trim(), '2');

    const shell = await runDetached('-it', image, 'sh');
    const attached = await runCliInTerminal(
      ['-H', agent.host, 'attach', shell],
      { cols: 80, rows: 24 },
      async (term, output) => {
        term.write('echo attached-$((1+1))\r');
        await until('the echo', async () => output().includes('attached-2'));
        term.write('exit 2\r');
      },
    );
    assert.equal(attached.code, 2, attached.output);
    assert.equal(await inspect(shell, '{{.State.ExitCode}}'), '2');
    await cli('rm', shell);
  });
});
