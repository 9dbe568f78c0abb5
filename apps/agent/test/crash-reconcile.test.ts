import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type AgentProcess, runAgentToExit, startAgent } from './harness/agent-process.js';
import { agentCli, runCli } from './harness/cli-process.js';
import { conmonPidsFor } from './harness/leftovers.js';
import { startRegistry, type TestRegistry } from './harness/registry.js';
import { pushBusybox } from './harness/test-images.js';

const ID = /^[a-f0-9]{64}$/;
const list = (dir: string) => (existsSync(dir) ? readdirSync(dir) : []);

/** Everything of containers the agent's roots still hold; all empty once every container is removed. */
function leftovers(agent: AgentProcess) {
  const base = join(agent.dataRoot, '..');
  const networks = list(join(agent.dataRoot, 'networks'))
    .filter((name) => name.endsWith('.json'))
    .map(
      (name) =>
        JSON.parse(readFileSync(join(agent.dataRoot, 'networks', name), 'utf8')) as {
          Subnet: string;
          Endpoints: Record<string, unknown>;
        },
    );
  const prefixes = networks.map((n) => n.Subnet.split('.').slice(0, 3).join('.'));
  const nat = spawnSync('iptables-save', ['-t', 'nat'], { encoding: 'utf8' }).stdout;
  const overlay = join(agent.dataRoot, 'overlay2');
  return {
    addresses: networks.flatMap((n) => Object.keys(n.Endpoints)),
    containerLayers: list(overlay).filter(
      (name) => ID.test(name) && existsSync(join(overlay, name, 'merged')),
    ),
    mounts: readFileSync('/proc/self/mountinfo', 'utf8')
      .split('\n')
      .map((line) => line.split(' ')[4] ?? '')
      .filter((point) => point.startsWith(`${base}/`)),
    namespaces: list(join(agent.execRoot, 'netns')),
    rules: nat
      .split('\n')
      .filter((line) => line.includes('DNAT') && prefixes.some((prefix) => line.includes(`${prefix}.`))),
    sockets: list(join(agent.execRoot, 'sockets')),
    runc: list(join(agent.execRoot, 'runc')).filter((name) => ID.test(name)),
    bundles: list(join(agent.execRoot, 'containers')),
    exits: list(join(agent.execRoot, 'exits')),
    conmons: conmonPidsFor(base),
  };
}

const NOTHING = {
  addresses: [],
  containerLayers: [],
  mounts: [],
  namespaces: [],
  rules: [],
  sockets: [],
  runc: [],
  bundles: [],
  exits: [],
  conmons: [],
};

// kill -9 of the agent at points between the steps of concurrent `run -d` and `rm` (each step
// saved on its own: address, layer, record, runtime): after the next start and `rm -f` of every
// container, the roots hold nothing of any container.
describe('a crash at any point of run -d and rm leaves nothing behind', () => {
  let registry: TestRegistry;
  let image: string;

  before(async () => {
    registry = await startRegistry();
    image = (await pushBusybox(registry)).reference;
  });
  after(async () => {
    await registry?.stop();
  });

  const runAll = (agent: AgentProcess) =>
    Promise.all(
      [1, 2, 3].map(() =>
        runCli(
          ['-H', agent.host, 'run', '-d', '-p', '127.0.0.1::8080', image, 'sleep', '100000'],
          {},
          60_000,
        ),
      ),
    );

  for (const point of ['network-joined', 'layer-created', 'container-created', 'layer-removed']) {
    test(`crash at ${point}`, async (t) => {
      const crashing = { STEVEDORE_TEST_CRASH_AT: point };
      const removing = point === 'layer-removed';
      const agent = await startAgent(removing ? {} : { env: crashing });
      t.after(() => agent.stop());
      const { cli } = agentCli(() => agent.host, { timeoutMs: 60_000 });
      const pulled = await cli('pull', '-q', image);
      assert.equal(pulled.code, 0, pulled.stderr);
      const runs = await runAll(agent);
      if (removing) {
        for (const run of runs) assert.equal(run.code, 0, run.stderr);
        // kill -9: the containers keep running, and the next agent (which dies in rm) adopts them.
        await agent.kill9();
        await agent.restart({ env: crashing });
        const ids = runs.map((run) => run.stdout.trim());
        const removed = await Promise.all(ids.map((id) => cli('rm', '-f', id)));
        assert.ok(
          removed.some((result) => result.code !== 0),
          'the agent died in rm',
        );
      } else {
        assert.ok(
          runs.every((run) => run.code !== 0),
          `the agent died in run: ${runs.map((r) => r.stderr).join('')}`,
        );
      }
      assert.notDeepEqual(leftovers(agent), NOTHING, 'the crash left something behind (the test hit it)');

      await agent.restart({ env: {} });
      const ids = (await cli('ps', '-aq')).stdout.split('\n').filter(Boolean);
      if (ids.length > 0) {
        const removed = await cli('rm', '-f', ...ids);
        assert.equal(removed.code, 0, removed.stderr);
      }
      assert.deepEqual(leftovers(agent), NOTHING);
    });
  }

  test('--cleanup removes socket links whose container is gone', async (t) => {
    const agent = await startAgent();
    t.after(() => agent.stop());
    await agent.kill();
    const sockets = join(agent.execRoot, 'sockets');
    const dangling = join(sockets, 'a'.repeat(64));
    symlinkSync(join(agent.execRoot, 'containers', 'a'.repeat(64)), dangling);
    const cleaned = await runAgentToExit([
      '--data-root',
      agent.dataRoot,
      '--exec-root',
      agent.execRoot,
      '--iptables=false',
      '--bridge',
      'sdtcleanup0',
      '--cleanup',
    ]);
    assert.equal(cleaned.code, 0, cleaned.stderr);
    assert.deepEqual(list(sockets), []);
  });
});
