import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { before, describe, test } from 'node:test';
import { useContainerAgent } from './harness/container-agent.js';

/** --log-driver: `none` keeps no log (as Docker), `local` and `json-file` are accepted. */
describe('containers: log drivers', () => {
  const suite = useContainerAgent();
  const { cli, inspect, runDetached } = suite;
  let image: string;
  before(() => {
    ({ image } = suite);
  });

  test('none: run in the foreground still shows the output; no log file; logs refuses as Docker does', async () => {
    const run = await cli(
      'run',
      '--network',
      'none',
      '--name',
      'drivers-none',
      '--log-driver',
      'none',
      image,
      'sh',
      '-c',
      'echo out-1; echo err-1 >&2; echo out-2; printf tail',
    );
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, 'out-1\nout-2\ntail');
    assert.equal(run.stderr, 'err-1\n');
    assert.equal(await inspect('drivers-none', '{{.HostConfig.LogConfig.Type}}'), 'none');
    const logPath = await inspect('drivers-none', '{{.LogPath}}');
    assert.equal(existsSync(logPath), false, `${logPath} exists`);
    assert.deepEqual(
      readdirSync(dirname(logPath)).filter((name) => name.includes('log')),
      [],
      'no log file of any kind beside it',
    );
    const logs = await cli('logs', 'drivers-none');
    assert.equal(logs.code, 1);
    assert.equal(logs.stdout, '');
    assert.equal(
      logs.stderr,
      'Error response from daemon: configured logging driver does not support reading\n',
    );
    // The exit code still comes through the attach path.
    const failing = await cli(
      'run',
      '--rm',
      '--network',
      'none',
      '--log-driver',
      'none',
      image,
      'sh',
      '-c',
      'exit 5',
    );
    assert.equal(failing.code, 5, failing.stderr);
    await cli('rm', 'drivers-none');
  });

  test('none, detached: it runs, restarts and stops without a log', async () => {
    const id = await runDetached(
      '--network',
      'none',
      '--log-driver',
      'none',
      image,
      'sh',
      '-c',
      'echo x; sleep 300',
    );
    const logPath = await inspect(id, '{{.LogPath}}');
    assert.equal(await inspect(id, '{{.State.Running}}'), 'true');
    assert.equal((await cli('restart', '-t', '0', id)).code, 0);
    assert.equal(await inspect(id, '{{.State.Running}}'), 'true');
    assert.equal(existsSync(logPath), false);
    assert.equal((await cli('logs', '-f', id)).code, 1);
    assert.equal((await cli('rm', '-f', id)).code, 0);
  });

  test("none: attach to a running container shows its output from then on (conmon's socket, not the log)", async () => {
    const id = await runDetached(
      '--network',
      'none',
      '--log-driver',
      'none',
      image,
      'sh',
      '-c',
      'sleep 8; echo late; echo late-err >&2; exit 4',
    );
    const attached = await cli('attach', id);
    assert.equal(attached.code, 4, attached.stderr);
    assert.equal(attached.stdout, 'late\n');
    assert.equal(attached.stderr, 'late-err\n');
    await cli('rm', id);
  });

  test('local and json-file are accepted and read back by logs', async () => {
    for (const driver of ['local', 'json-file']) {
      const id = await runDetached(
        '--network',
        'none',
        '--log-driver',
        driver,
        image,
        'sh',
        '-c',
        `echo via-${driver}`,
      );
      assert.equal((await cli('wait', id)).stdout, '0\n');
      assert.equal(await inspect(id, '{{.HostConfig.LogConfig.Type}}'), driver);
      const logs = await cli('logs', id);
      assert.equal(logs.code, 0, logs.stderr);
      assert.equal(logs.stdout, `via-${driver}\n`);
      await cli('rm', id);
    }
  });

  test('logs of a missing container: Docker client wording, exit 1', async () => {
    const logs = await cli('logs', 'drivers-missing');
    assert.equal(logs.code, 1);
    assert.equal(logs.stderr, 'Error: No such container: drivers-missing\n');
  });
});
