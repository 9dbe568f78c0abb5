import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { connectAgentOnce } from '@stevedore/agent-api';
import { chainIdOf } from '../src/storage/overlay2/layer-store.js';
import { type AgentProcess, startAgent } from './harness/agent-process.js';
import { agentCli } from './harness/cli-process.js';
import { startRegistry, type TestRegistry } from './harness/registry.js';
import { type PushedImage, pushImage } from './harness/test-images.js';

// kill -9 of the agent in the middle of a pull: the next start clears the half-written layers and
// a new pull completes.
describe('a pull interrupted by kill -9 leaves a consistent store', () => {
  let registry: TestRegistry;
  let agent: AgentProcess;
  let image: PushedImage;

  before(async () => {
    registry = await startRegistry();
    const bigLayer = (n: number) =>
      Array.from({ length: 40 }, (_, i) => ({
        type: 'file' as const,
        name: `l${n}/f${i}`,
        content: randomBytes(512 * 1024),
      }));
    image = await pushImage(registry, 'test/big', 'v1', [bigLayer(0), bigLayer(1), bigLayer(2)]);
    agent = await startAgent();
  });
  after(async () => {
    await agent?.stop();
    await registry?.stop();
  });

  test('kill -9 while layers download, restart, pull again', async () => {
    const connection = await connectAgentOnce({ host: agent.host });
    await new Promise<void>((resolve, reject) => {
      connection.client.images.pull.subscribe(
        { reference: image.reference },
        {
          onData: (event) => {
            if (event.type === 'progress' && event.progress.status === 'Downloading') resolve();
          },
          onError: reject,
        },
      );
    });
    await agent.kill9();
    await connection.close().catch(() => {});
    const overlay = join(agent.dataRoot, 'overlay2');
    const leftovers = () => readdirSync(overlay).filter((name) => name.startsWith('.tmp-'));
    assert.ok(
      leftovers().length > 0,
      'the crash left half-built layers behind (the test caught it mid-pull)',
    );

    await agent.restart();
    assert.deepEqual(leftovers(), [], 'the next start removed them');
    assert.deepEqual(readdirSync(join(agent.dataRoot, 'content', 'ingest')), []);

    const pulled = await agentCli(agent.host).cli('pull', '-q', image.reference);
    assert.equal(pulled.code, 0, pulled.stderr);
    let chain: string | null = null;
    for (const layer of image.layers) {
      chain = chainIdOf(chain, layer.diffId);
      assert.ok(existsSync(join(overlay, chain.slice(7), 'diff')), `layer ${layer.digest} complete`);
    }
  });
});
