import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { busyboxAgentSuite } from './harness/busybox-agent.js';

/** Issue 17's runtime gaps as Docker 20.10 behaves: top, the attach event, --ipc and /dev/shm, --mount volume options. */
describe('runtime parity with Docker', () => {
  const { suite, cli, ok } = busyboxAgentSuite();
  const image = () => suite.busybox.reference;
  const runDetached = async (...args: string[]) =>
    (await ok('run', '-d', '--network', 'none', ...args, image(), 'sleep', '300')).trim();

  test("top prints ps's columns only; ps options pass through as Docker passes them", async () => {
    const id = await runDetached();
    try {
      const plain = await ok('top', id);
      assert.match(plain, /^UID\s+PID\s+PPID\s+C\s+STIME\s+TTY\s+TIME\s+CMD\n/);
      assert.match(plain, /\nroot\s+\d+\s+\d+\s+.*sleep 300\n$/);
      const chosen = await ok('top', id, '-o', 'pid,comm');
      assert.match(chosen, /^PID\s+COMMAND\n\d+\s+sleep\n$/);
      const refused = await cli('top', id, '-o', 'user=PID');
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /specifying "user=PID" is not allowed/);
      const noPid = await cli('top', id, '-o', 'comm');
      assert.equal(noPid.code, 1);
      assert.match(noPid.stderr, /Couldn't find PID field in ps output/);
    } finally {
      await cli('rm', '-f', id);
    }
  });

  test('run in the foreground and attach publish the "attach" event, between create and start', async () => {
    const since = String(Date.now() / 1000 - 1);
    const name = 'rtp-attach';
    try {
      await ok('run', '--network', 'none', '--name', name, image(), 'true');
      const actions = async () =>
        (
          await ok(
            'events',
            '--since',
            since,
            '--until',
            String(Date.now() / 1000),
            '--filter',
            `container=${name}`,
            '--format',
            '{{.Action}} {{.status}} {{.from}}',
          )
        ).trim();
      // `run` may return as soon as the exit status is known, a moment before the die event.
      await until(async () => (await actions()).includes('die'));
      assert.equal(
        await actions(),
        [
          `create create ${image()}`,
          `attach attach ${image()}`,
          `start start ${image()}`,
          `die die ${image()}`,
        ].join('\n'),
      );
      await ok('rm', name);
      await runDetachedNamed(name);
      const attach = cli('attach', name);
      await until(
        async () => (await actions()).split('\n').filter((line) => line.startsWith('attach')).length === 2,
      );
      await ok('kill', name);
      const attached = await attach;
      assert.equal(attached.code, 137, attached.stderr);
    } finally {
      await cli('rm', '-f', name);
    }
  });

  const runDetachedNamed = (name: string) => runDetached('--name', name);
});

async function until(condition: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
