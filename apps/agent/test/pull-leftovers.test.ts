import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { connectAgentOnce } from '@stevedore/agent-api';
import { type AgentProcess, startAgent } from './harness/agent-process.js';
import { agentCli } from './harness/cli-process.js';
import { startRegistry, type TestRegistry } from './harness/registry.js';
import { type PushedImage, pushImage } from './harness/test-images.js';
import { until } from './harness/until.js';

const MiB = 1024 * 1024;

// A pull cut off by kill -9 leaves complete layers (and blobs) that no image refers to:
// `system df` counts them, `image prune` frees them, and so does a start-up after its grace period.
describe('what an interrupted pull leaves is counted and freed', () => {
  let registry: TestRegistry;
  let agent: AgentProcess;
  let image: PushedImage;
  const crashInPull = { STEVEDORE_TEST_CRASH_AT: 'layer-pulled' };
  const { cli } = agentCli(() => agent.host, { timeoutMs: 60_000 });
  /** The `system df` row of unfinished downloads: count and bytes. */
  const unfinished = async () => {
    const df = await cli('system', 'df', '--format', '{{.Type}}|{{.TotalCount}}|{{.Size}}');
    assert.equal(df.code, 0, df.stderr);
    const row = df.stdout
      .split('\n')
      .map((line) => line.split('|'))
      .find(([type]) => type === 'Unfinished Downloads');
    assert.ok(row, `system df has a row for unfinished downloads:\n${df.stdout}`);
    return { count: Number(row[1]), size: row[2] ?? '' };
  };
  /** Image layer directories in the store (container layers have a mount point). */
  const imageLayers = () =>
    readdirSync(join(agent.dataRoot, 'overlay2')).filter(
      (name) => /^[a-f0-9]{64}$/.test(name) && !existsSync(join(agent.dataRoot, 'overlay2', name, 'merged')),
    );
  /** A pull that the agent dies in, after its first layer is complete; the agent is started again. */
  const interruptedPull = async (env: Record<string, string>) => {
    await agent.restart({ env: crashInPull });
    const pulled = await cli('pull', '-q', image.reference);
    assert.notEqual(pulled.code, 0, 'the agent died in the pull');
    await agent.restart({ env });
    assert.ok(imageLayers().length > 0, 'the pull left a complete layer behind');
  };

  before(async () => {
    registry = await startRegistry();
    const layer = (n: number, files: number) =>
      Array.from({ length: files }, (_, i) => ({
        type: 'file' as const,
        name: `l${n}/f${i}`,
        content: randomBytes(MiB),
      }));
    image = await pushImage(registry, 'test/leftovers', 'v1', [layer(0, 1), layer(1, 8), layer(2, 8)]);
    agent = await startAgent();
  });
  after(async () => {
    await agent?.stop();
    await registry?.stop();
  });

  test('system df shows it and image prune frees it', async () => {
    await interruptedPull({});
    const before = await unfinished();
    assert.ok(before.count > 0, `counted: ${JSON.stringify(before)}`);
    assert.notEqual(before.size, '0B');
    const pruned = await cli('image', 'prune', '-f');
    assert.equal(pruned.code, 0, pruned.stderr);
    assert.doesNotMatch(pruned.stdout, /Total reclaimed space: 0B/);
    assert.deepEqual(imageLayers(), []);
    assert.deepEqual(readdirSync(join(agent.dataRoot, 'content', 'blobs', 'sha256')), []);
    assert.equal((await unfinished()).count, 0);
  });

  test('a start-up frees it after the grace period; a complete pull is kept', async () => {
    await interruptedPull({ STEVEDORE_TEST_LEFTOVER_GRACE_MS: '1500' });
    await until('the start-up collection', async () => (await unfinished()).count === 0, 20_000);
    assert.deepEqual(imageLayers(), []);
    const pulled = await cli('pull', '-q', image.reference);
    assert.equal(pulled.code, 0, pulled.stderr);
    await agent.restart();
    await new Promise((resolve) => setTimeout(resolve, 3000));
    assert.equal(imageLayers().length, 3, 'the pulled image keeps its layers');
    const pruned = await cli('image', 'prune', '-f');
    assert.equal(pruned.code, 0, pruned.stderr);
    assert.equal(imageLayers().length, 3, 'a tagged image is no leftover');
    assert.equal((await unfinished()).count, 0);
  });

  test('a prune while a pull is under way leaves the pull alone', async () => {
    await agent.restart({ env: {} });
    // Pulled by the test before, or not at all when run alone.
    await cli('rmi', image.reference);
    const connection = await connectAgentOnce({ host: agent.host });
    try {
      let prune: Promise<{ spaceReclaimed: number }> | null = null;
      await new Promise<void>((resolve, reject) => {
        connection.client.images.pull.subscribe(
          { reference: image.reference },
          {
            onData: (event) => {
              if (event.type === 'progress' && event.progress.status === 'Pull complete' && !prune) {
                prune = connection.client.images.prune.mutate({ all: false });
              }
              if (event.type === 'done') resolve();
            },
            onError: reject,
          },
        );
      });
      assert.ok(prune, 'a prune ran during the pull');
      const reclaimed = (await (prune as Promise<{ spaceReclaimed: number }>)).spaceReclaimed;
      assert.equal(reclaimed, 0, 'the prune took nothing of the pull');
      assert.equal(imageLayers().length, 3, 'the image has all its layers');
      const run = await cli('image', 'inspect', '--format', '{{.Id}}', image.reference);
      assert.equal(run.code, 0, run.stderr);
    } finally {
      await connection.close();
    }
  });
});
