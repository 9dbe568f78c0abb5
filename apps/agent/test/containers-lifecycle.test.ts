import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { type AgentProcess, cliBin } from './harness/agent-process.js';
import { cgroupsUnder, readCgroupFile } from './harness/cgroups.js';
import { runCli } from './harness/cli-process.js';
import { mountsUnder, useContainerAgent } from './harness/container-agent.js';
import { conmonPidsFor as conmonsFor } from './harness/leftovers.js';

describe('containers: run, start, signals, stop, kill, pause, names on the real agent', () => {
  const suite = useContainerAgent();
  const { cli, inspect, runDetached, cgroupParent } = suite;
  let agent: AgentProcess;
  let image: string;
  before(() => {
    ({ agent, image } = suite);
  });

  test('run attaches: stdout and stderr apart, the exit code returned, --rm leaves nothing', async () => {
    const result = await cli('run', '--rm', image, 'sh', '-c', 'echo out; echo err >&2; exit 3');
    assert.equal(result.code, 3);
    assert.equal(result.stdout, 'out\n');
    assert.equal(result.stderr, 'err\n');
    const all = await cli('ps', '-aq');
    assert.equal(all.stdout, '', '--rm removed the container');
    assert.deepEqual(mountsUnder(join(agent.dataRoot, 'overlay2')), [], 'rootfs unmounted');
    assert.deepEqual(cgroupsUnder(cgroupParent), [], 'cgroups removed');
    assert.deepEqual(conmonsFor(agent.dataRoot), [], 'conmon gone');
  });

  test('start -a attaches like run: output apart, the exit code returned; -i passes stdin', async () => {
    const created = await cli(
      'create',
      '--name',
      'later',
      image,
      'sh',
      '-c',
      'echo out; echo err >&2; exit 5',
    );
    assert.equal(created.code, 0, created.stderr);
    const started = await cli('start', '-a', 'later');
    assert.equal(started.code, 5, started.stderr);
    assert.equal(started.stdout, 'out\n');
    assert.equal(started.stderr, 'err\n');
    assert.equal(await inspect('later', '{{.State.Status}} {{.State.ExitCode}}'), 'exited 5');
    const two = await cli('start', '-a', 'later', 'later');
    assert.equal(two.code, 1);
    assert.match(two.stderr, /cannot start and attach multiple containers at once/);
    assert.equal((await cli('create', '--name', 'reader', '-i', image, 'sh', '-c', 'cat | wc -l')).code, 0);
    const piped = await runCli(['-H', agent.host, 'start', '-ai', 'reader'], {}, 20_000, 'one\ntwo\n');
    assert.equal(piped.code, 0, piped.stderr);
    assert.equal(piped.stdout.trim(), '2');
    assert.equal((await cli('rm', 'later', 'reader')).code, 0);
  });

  test('run passes the signals it gets to the container (sig-proxy), unless --sig-proxy=false', async () => {
    const trapping = [
      'sh',
      '-c',
      'trap "echo got TERM; exit 7" TERM; echo ready; while true; do sleep 0.1; done',
    ];
    /** Runs the CLI, sends it SIGTERM once the container said "ready", and collects how it ended. */
    const terminated = (args: string[]) =>
      new Promise<{ code: number | null; signal: string | null; stdout: string }>((resolve, reject) => {
        const child = spawn(cliBin, ['-H', agent.host, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
        let stdout = '';
        child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
          if (!stdout.includes('ready') && `${stdout}${chunk}`.includes('ready')) child.kill('SIGTERM');
          stdout += chunk;
        });
        const timer = setTimeout(() => {
          child.kill('SIGKILL');
          reject(new Error(`no exit; stdout: ${stdout}`));
        }, 20_000);
        child.once('close', (code, signal) => {
          clearTimeout(timer);
          resolve({ code, signal, stdout });
        });
      });
    const proxied = await terminated(['run', '--rm', image, ...trapping]);
    assert.deepEqual(proxied, { code: 7, signal: null, stdout: 'ready\ngot TERM\n' });
    const direct = await terminated(['run', '--name', 'unproxied', '--sig-proxy=false', image, ...trapping]);
    assert.equal(direct.signal, 'SIGTERM', 'the CLI itself was terminated');
    assert.equal(await inspect('unproxied', '{{.State.Status}}'), 'running', 'the container was not');
    assert.equal((await cli('rm', '-f', 'unproxied')).code, 0);
  });

  test('exit codes: 127 command not found, 126 not executable, 125 engine refusal', async () => {
    const missing = await cli('run', '--rm', image, 'no-such-command');
    assert.equal(missing.code, 127);
    assert.match(missing.stderr, /executable file not found/);
    const notExecutable = await cli('run', '--rm', image, '/etc/passwd');
    assert.equal(notExecutable.code, 126, notExecutable.stderr);
    const refused = await cli('run', '--rm', '--memory', '4m', image, 'true');
    assert.equal(refused.code, 125);
    assert.match(refused.stderr, /Minimum memory limit allowed is 6MB/);
    assert.equal((await cli('ps', '-aq')).stdout, '', 'a --rm container whose start failed is removed');
  });

  test('stop sends the stop signal, then SIGKILL after the timeout; kill -s; pause freezes', async () => {
    const trapping = await runDetached(
      '--name',
      'stubborn',
      image,
      'sh',
      '-c',
      'trap "echo got-term" TERM; while true; do sleep 0.1; done',
    );
    const started = Date.now();
    assert.equal((await cli('stop', '-t', '1', 'stubborn')).code, 0);
    assert.ok(Date.now() - started >= 1000, 'waited the timeout');
    assert.equal(await inspect(trapping, '{{.State.ExitCode}}'), '137');
    assert.match((await cli('logs', 'stubborn')).stdout, /got-term/);

    // As pid 1, sleep ignores TERM (no handler, and the kernel protects pid 1); --init forwards it.
    const custom = await runDetached(
      '--stop-signal',
      'USR1',
      image,
      'sh',
      '-c',
      'trap "echo got-usr1; exit 0" USR1; while true; do sleep 0.1; done',
    );
    assert.equal((await cli('stop', '-t', '5', custom)).code, 0);
    assert.equal(await inspect(custom, '{{.State.ExitCode}}'), '0', '--stop-signal USR1 was sent, not TERM');
    await cli('rm', custom);
    const polite = await runDetached('--init', image, 'sleep', '300');
    assert.equal((await cli('kill', '-s', 'TERM', polite)).code, 0);
    assert.equal((await cli('wait', polite)).stdout.trim(), '143');

    const paused = await runDetached(image, 'sleep', '300');
    assert.equal((await cli('pause', paused)).code, 0);
    assert.equal(await inspect(paused, '{{.State.Status}} {{.State.Paused}}'), 'paused true');
    assert.equal(readCgroupFile('freezer', cgroupParent, paused, 'freezer.state'), 'FROZEN');
    const refused = await cli('rm', paused);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /You cannot remove a paused container/);
    assert.equal((await cli('unpause', paused)).code, 0);
    assert.equal(await inspect(paused, '{{.State.Status}}'), 'running');
    assert.equal((await cli('rm', '-f', paused, polite, 'stubborn')).code, 0);
  });

  test('rmi refuses an image a container uses; names, rename and ps filters behave like Docker', async () => {
    const id = (await cli('create', '--name', 'holder', '--label', 'tier=web', image, 'true')).stdout.trim();
    const rmi = await cli('rmi', image);
    assert.equal(rmi.code, 1);
    assert.match(rmi.stderr, /must force.*container .* is using its referenced image/);
    const duplicate = await cli('create', '--name', 'holder', image, 'true');
    assert.equal(duplicate.code, 1, 'create returns the engine refusal as is, as docker create does');
    assert.match(duplicate.stderr, /The container name "\/holder" is already in use/);
    assert.equal((await cli('rename', 'holder', 'keeper')).code, 0);
    assert.equal(
      (await cli('ps', '-a', '--filter', 'label=tier=web', '--format', '{{.Names}}')).stdout,
      'keeper\n',
    );
    assert.equal(
      (await cli('ps', '-a', '--filter', 'status=created', '--filter', 'label=tier', '-q')).stdout,
      `${id.slice(0, 12)}\n`,
    );
    await cli('rm', 'keeper');
  });
});
