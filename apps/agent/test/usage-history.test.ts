import assert from 'node:assert/strict';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { connectAgentOnce } from '@stevedore/agent-api';
import type { UsageHistory } from '@stevedore/shared';
import { type AgentProcess, startAgent } from './harness/agent-process.js';
import { agentCli } from './harness/cli-process.js';
import { removeAgentLeftovers } from './harness/leftovers.js';
import { startRegistry, type TestRegistry } from './harness/registry.js';
import { fillUp, freeBytes, makeSmallDisk, type SmallDisk } from './harness/small-disk.js';
import { pushBusybox } from './harness/test-images.js';
import { until } from './harness/until.js';

const BURN = ['sh', '-c', 'while :; do :; done'];

/** The agent's usage history of one container, over a fresh connection (the agent restarts). */
async function history(
  agent: AgentProcess,
  container: string,
  range: '5m' | '24h' = '5m',
): Promise<UsageHistory> {
  const connection = await connectAgentOnce({ host: agent.host });
  try {
    return await connection.client.usage.history.query({ container, range });
  } finally {
    await connection.close();
  }
}

const busySeconds = (usage: UsageHistory) =>
  usage.timestamps.filter((_, i) => (usage.series.cpuPercent.avg[i] ?? 0) > 1);

describe('usage history: recorded while a container runs, kept across restarts and crashes', () => {
  let registry: TestRegistry;
  let agent: AgentProcess;
  let image: string;
  let id: string;
  const { ok } = agentCli(() => agent.host, { timeoutMs: 60_000, trim: true });

  before(async () => {
    registry = await startRegistry();
    image = (await pushBusybox(registry)).reference;
    agent = await startAgent();
    await ok('pull', '-q', image);
    // Half a CPU at most: the CFS quota throttles it, so the throttling series moves too.
    id = await ok(
      'run',
      '-d',
      '--name',
      'burner',
      '--network',
      'none',
      '--cpus',
      '0.5',
      '-m',
      '64m',
      image,
      ...BURN,
    );
  });
  after(async () => {
    if (agent) await agentCli(agent.host).cli('rm', '-f', 'burner', 'late');
    await agent?.stop();
    await registry?.stop();
  });

  test('a burning container has seconds with CPU > 0, its working set and limit, without any subscriber', async () => {
    const usage = await until(
      'five busy seconds in the history',
      async () => {
        const found = await history(agent, 'burner');
        return busySeconds(found).length >= 5 ? found : null;
      },
      30_000,
    );
    assert.equal(usage.containerId, id);
    assert.equal(usage.step, 1);
    const last = usage.timestamps.length - 1;
    const cpu = usage.series.cpuPercent.avg[last] ?? 0;
    assert.ok(cpu > 20, `a busy loop, got ${cpu} %`);
    // Throttling needs a CFS quota the kernel enforces (this one's cgroup v1 does not count it).
    assert.equal(usage.series.cpuThrottledPeriods.avg.length, usage.timestamps.length);
    assert.equal(usage.series.memoryLimit.avg[last], 64 * 2 ** 20);
    assert.ok((usage.series.memoryWorkingSet.avg[last] ?? 0) > 0);
    assert.ok((usage.series.pids.avg[last] ?? 0) >= 1);
    const day = await history(agent, 'burner', '24h');
    assert.equal(day.step, 60);
    assert.ok(day.timestamps.length >= 1, 'the current minute is summarised from the seconds');
    assert.ok((day.series.cpuPercent.max?.at(-1) ?? 0) > 20);
    assert.ok(existsSync(join(agent.dataRoot, 'usage', id, 'seconds.ring')));
  });

  test('the history survives a restart (the stopped container stays queryable) and a kill -9', async () => {
    const before = busySeconds(await history(agent, 'burner'));
    await agent.restart();
    const afterRestart = busySeconds(await history(agent, 'burner'));
    for (const time of before)
      assert.ok(afterRestart.includes(time), `second ${time} kept across the restart`);
    await ok('start', 'burner');
    const recording = await until(
      'new busy seconds after the restart',
      async () => {
        const seconds = busySeconds(await history(agent, 'burner'));
        return seconds.length > afterRestart.length + 3 ? seconds : null;
      },
      30_000,
    );
    // Killed while it writes a record every second: at most that one record is lost.
    await agent.kill9();
    await agent.restart();
    const afterCrash = busySeconds(await history(agent, 'burner'));
    const lost = recording.filter((time) => !afterCrash.includes(time));
    assert.ok(lost.length <= 1, `seconds lost to kill -9: ${lost.join(', ')}`);
    assert.ok(agent.logs().length > 0);
  });

  test('removing the container removes its history', async () => {
    const dir = join(agent.dataRoot, 'usage', id);
    assert.ok(existsSync(dir));
    await ok('rm', '-f', 'burner');
    await until('the history directory to go', async () => !existsSync(dir), 10_000);
    await assert.rejects(history(agent, id), /no such container/i);
  });
});

// The data-root on a small ext4 of its own: a container started on the full disk cannot get its
// history files, and the agent says so once and carries on.
describe('usage history on a full data-root', () => {
  let disk: SmallDisk | undefined;
  let mountPoint: string;
  let registry: TestRegistry;
  let agent: AgentProcess;
  let image: string;
  const { ok } = agentCli(() => agent.host, { timeoutMs: 60_000, trim: true });

  before(async () => {
    disk = makeSmallDisk('stevedore-usage-full-', '64M');
    mountPoint = disk.mountPoint;
    registry = await startRegistry();
    image = (await pushBusybox(registry)).reference;
    agent = await startAgent({ dataRoot: join(mountPoint, 'data') });
    await ok('pull', '-q', image);
  });
  after(async () => {
    const execRoot = agent?.execRoot;
    if (agent) await agentCli(agent.host).cli('rm', '-f', 'early');
    await agent?.stop();
    if (execRoot) removeAgentLeftovers(mountPoint, execRoot);
    await registry?.stop();
    disk?.remove();
  });

  test('no room for the history: logged once, the agent answers, the container runs, recording resumes', async () => {
    const id = await ok('run', '-d', '--name', 'early', '--network', 'none', image, ...BURN);
    await until(
      'early to be recorded',
      async () => busySeconds(await history(agent, 'early')).length >= 2,
      20_000,
    );
    // A crash, its history lost, and the agent back on a disk without one free block: the
    // container runs on, and its history cannot even get a directory.
    await agent.kill9();
    rmSync(join(agent.dataRoot, 'usage', id), { recursive: true });
    fillUp(join(mountPoint, 'filler'));
    assert.equal(freeBytes(mountPoint), 0, 'not one block left');
    await agent.restart();
    await until('the warning', async () => /usage history: cannot record/.test(agent.logs()), 20_000);
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const warnings = agent
      .logs()
      .split('\n')
      .filter((line) => line.includes('usage history: cannot record') && line.includes(id));
    assert.equal(warnings.length, 1, 'one warning, not one per tick');
    assert.match(warnings[0] ?? '', /ENOSPC/);
    assert.match(await ok('inspect', '--format', '{{.State.Status}}', 'early'), /^running$/);
    await ok('info');
    assert.deepEqual((await history(agent, 'early')).timestamps, []);

    rmSync(join(mountPoint, 'filler'));
    await until(
      'early to be recorded once there is room',
      async () => busySeconds(await history(agent, 'early')).length >= 2,
      20_000,
    );
    assert.match(agent.logs(), /usage history: recording again/);
  });
});
