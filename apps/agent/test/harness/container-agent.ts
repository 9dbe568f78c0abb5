import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { type AgentProcess, startAgent } from './agent-process.js';
import { cgroupsUnder, removeCgroupParent } from './cgroups.js';
import { type CliResult, runCli } from './cli-process.js';
import { conmonPidsFor } from './leftovers.js';
import { startRegistry, type TestRegistry } from './registry.js';
import { type PushedImage, pushBusybox } from './test-images.js';

/** The effective capabilities Docker's default profile gives a container. */
export const DOCKER_DEFAULT_CAPS = '00000000a80425fb';

/** Mount points below `base` still present (the agent's overlay mounts). */
export const mountsUnder = (base: string) =>
  readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[4] ?? '')
    .filter((point) => point.startsWith(`${base}/`));

/** An agent with its own cgroup parent and busybox pulled from a test registry, for the containers tests. */
export interface ContainerAgent {
  registry: TestRegistry;
  agent: AgentProcess;
  busybox: PushedImage;
  /** busybox's reference. */
  image: string;
  cgroupParent: string;
  cli(...args: string[]): Promise<CliResult>;
  /** `inspect --format FORMAT CONTAINER`, which must succeed. */
  inspect(container: string, format: string): Promise<string>;
  /** `run -d ARGS`, which must succeed: the container's ID. */
  runDetached(...args: string[]): Promise<string>;
  /** The actions `events --since SINCE --until now+1s --filter FILTER` lists, in order. */
  eventActions(since: string, filter: string): Promise<string[]>;
}

/**
 * Starts the registry and the agent before the tests of the calling `describe` (the fields are
 * set from then on) and, after them, removes every container and checks that no conmon, cgroup
 * or mount of theirs is left.
 */
export function useContainerAgent(): ContainerAgent {
  const cgroupParent = `stevedore-test-${randomBytes(4).toString('hex')}`;
  const cli = (...args: string[]) => runCli(['-H', suite.agent.host, ...args]);
  const suite: ContainerAgent = {
    cgroupParent,
    cli,
    inspect: async (container, format) => {
      const result = await cli('inspect', '--format', format, container);
      assert.equal(result.code, 0, result.stderr);
      return result.stdout.trim();
    },
    runDetached: async (...args) => {
      const result = await cli('run', '-d', ...args);
      assert.equal(result.code, 0, result.stderr);
      return result.stdout.trim();
    },
    eventActions: async (since, filter) => {
      const events = await cli(
        'events',
        '--since',
        since,
        '--until',
        String(Date.now() / 1000 + 1),
        '--filter',
        filter,
      );
      assert.equal(events.code, 0, events.stderr);
      return events.stdout
        .trim()
        .split('\n')
        .map((line) => line.split(' ')[2] ?? '');
    },
  } as ContainerAgent;

  before(async () => {
    suite.registry = await startRegistry();
    suite.busybox = await pushBusybox(suite.registry);
    suite.image = suite.busybox.reference;
    suite.agent = await startAgent({ config: { 'cgroup-parent': cgroupParent } });
    const pulled = await cli('pull', '-q', suite.image);
    assert.equal(pulled.code, 0, pulled.stderr);
  });
  after(async () => {
    const { agent, registry } = suite;
    const ids = agent ? (await cli('ps', '-aq')).stdout.split('\n').filter(Boolean) : [];
    if (ids.length > 0) await cli('rm', '-f', ...ids);
    const base = agent?.dataRoot ? join(agent.dataRoot, '..') : null;
    if (base) {
      assert.deepEqual(conmonPidsFor(base), [], 'no conmon left');
      assert.deepEqual(cgroupsUnder(cgroupParent), [], 'no container cgroup left');
    }
    await agent?.stop();
    removeCgroupParent(cgroupParent);
    await registry?.stop();
    if (base) assert.deepEqual(mountsUnder(base), [], 'no mounts left');
  });
  return suite;
}
