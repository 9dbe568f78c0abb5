import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type AgentProcess, startAgent } from './harness/agent-process.js';
import { agentCli } from './harness/cli-process.js';
import { startRegistry, type TestRegistry } from './harness/registry.js';
import { pushBusybox } from './harness/test-images.js';

const list = (dir: string) => (existsSync(dir) ? readdirSync(dir) : []);

/** What an agent's data-root holds of layers, blobs, spooled archives and mounts once it holds no image or container. */
function remains(agent: AgentProcess) {
  const base = join(agent.dataRoot, '..');
  return {
    layers: list(join(agent.dataRoot, 'overlay2')).filter((name) => name !== 'l'),
    shortLinks: list(join(agent.dataRoot, 'overlay2', 'l')),
    blobs: list(join(agent.dataRoot, 'content', 'blobs', 'sha256')),
    mounts: readFileSync('/proc/self/mountinfo', 'utf8')
      .split('\n')
      .map((line) => line.split(' ')[4] ?? '')
      .filter((point) => point.startsWith(`${base}/`)),
  };
}
const EMPTY = { layers: [], shortLinks: [], blobs: [], mounts: [] };

/**
 * kill -9 of the agent in the middle of `commit` (its layer made, the image not recorded) and of
 * `cp` into a stopped container (its layer mounted): after the next start, the container still
 * works, and removing every container and image (plus a prune) leaves no layer, blob or mount.
 */
describe('a crash in commit or cp leaves nothing behind', () => {
  let registry: TestRegistry;
  let image: string;
  let work: string;

  before(async () => {
    registry = await startRegistry();
    image = (await pushBusybox(registry)).reference;
    work = mkdtempSync(join(tmpdir(), 'stevedore-crash-cp-'));
    writeFileSync(join(work, 'payload'), 'copied\n');
  });
  after(async () => {
    await registry?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  for (const point of ['commit-layer-created', 'cp-mounted']) {
    test(`crash at ${point}`, async (t) => {
      const agent = await startAgent({ env: { STEVEDORE_TEST_CRASH_AT: point } });
      t.after(() => agent.stop());
      const { cli, ok } = agentCli(() => agent.host, { timeoutMs: 60_000, trim: true });
      await ok('pull', '-q', image);
      const id = await ok(
        'create',
        '--network',
        'none',
        image,
        'sh',
        '-c',
        'echo changed > /changed; cat /tmp/payload',
      );
      await ok('start', '-a', id).catch(() => {}); // writes /changed (the cp test's payload is not there yet)

      const interrupted =
        point === 'commit-layer-created'
          ? await cli('commit', id, 'crash/committed:v1')
          : await cli('cp', join(work, 'payload'), `${id}:/tmp/payload`);
      assert.notEqual(interrupted.code, 0, 'the agent died in the middle');

      await agent.restart({ env: {} });
      if (point === 'cp-mounted') {
        assert.deepEqual(remains(agent).mounts, [], 'the copy’s mount is gone after the restart');
        await ok('cp', join(work, 'payload'), `${id}:/tmp/payload`);
        await ok('cp', `${id}:/tmp/payload`, join(work, 'back'));
        assert.equal(readFileSync(join(work, 'back'), 'utf8'), 'copied\n');
      } else {
        assert.equal((await cli('image', 'inspect', 'crash/committed:v1')).code, 1, 'no half-made image');
        assert.match(await ok('commit', id, 'crash/committed:v1'), /^sha256:[a-f0-9]{64}$/);
        await ok('rmi', 'crash/committed:v1');
      }
      await ok('rm', '-f', id);
      await ok('rmi', image);
      await ok('system', 'prune', '-a', '-f');
      assert.deepEqual(remains(agent), EMPTY);
    });
  }
});
