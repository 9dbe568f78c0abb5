// `npm run bench -- health`: what healthchecks cost an idle agent. One agent, 10 idle containers
// three times over: without a healthcheck, probing every 30 s (the default interval), and
// probing every 1 s (to see the cost of one probe above the noise). Agent CPU is the median of
// three 30 s windows; probes run as `runc exec`, whose own CPU is not the agent's.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { cliBin, cpuOver, removeCgroupDirs, sleep, startAgent, table, writeConfig } from './common.mjs';

export async function benchHealth() {
  const { startRegistry } = await import('../../../apps/agent/test/harness/registry.ts');
  const { pushBusybox } = await import('../../../apps/agent/test/harness/test-images.ts');
  const registry = await startRegistry();
  const cgroupParent = `stevedore-bench-${randomBytes(3).toString('hex')}`;
  const configFile = writeConfig({ 'cgroup-parent': cgroupParent });
  const agent = await startAgent(['--config-file', configFile]);
  const host = `unix://${agent.socket}`;
  const cli = (...args) => {
    const result = spawnSync(cliBin, ['-H', host, ...args], { encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`stevedore ${args.join(' ')} failed: ${result.stderr}`);
    return result.stdout.trim();
  };
  const rows = [];
  try {
    const image = (await pushBusybox(registry)).reference;
    cli('pull', '-q', image);
    // Every case over the same 30 s windows: the agent's own periodic work (the usage history's
    // minute summaries, say) then weighs the same in each.
    const cases = [
      ['no healthcheck', [], 30_000],
      ['--health-interval 30s', ['--health-cmd', 'true', '--health-interval', '30s'], 30_000],
      ['--health-interval 1s', ['--health-cmd', 'true', '--health-interval', '1s'], 30_000],
    ];
    // The agent's CPU per ms with no healthcheck: what a probe costs is what comes on top of it.
    let baselinePerMs = 0;
    for (const [label, flags, windowMs] of cases) {
      const ids = [];
      for (let i = 0; i < 10; i++)
        ids.push(cli('run', '-d', '--network', 'none', ...flags, image, 'sleep', '3600'));
      await sleep(3000);
      const windows = [];
      for (let round = 0; round < 3; round++) windows.push(await cpuOver(agent.child.pid, windowMs));
      const median = windows.sort((a, b) => a.total - b.total)[1];
      const probes = flags.length === 0 ? 0 : (10 * windowMs) / Number.parseInt(flags[3], 10) / 1000;
      if (probes === 0) baselinePerMs = median.total / windowMs;
      const perProbe = probes ? (median.total - baselinePerMs * windowMs) / probes : 0;
      rows.push([
        `agent CPU, 10 idle containers, ${label} (median of 3 × ${windowMs / 1000} s)`,
        `${((median.total / windowMs) * 100).toFixed(2)} % of a core (user ${median.user} ms, kernel ${median.system} ms)${
          probes
            ? `; ${perProbe.toFixed(1)} ms per probe above no healthcheck (${probes} probes a window)`
            : ''
        }`,
      ]);
      if (flags.length > 0) {
        const status = cli('ps', '--filter', 'health=healthy', '-q').split('\n').filter(Boolean).length;
        rows.push([`  containers healthy at the end (${label})`, `${status} of 10`]);
      }
      cli('rm', '-f', ...ids);
    }
  } finally {
    await agent.stop();
    removeCgroupDirs(cgroupParent);
    rmSync(dirname(configFile), { recursive: true, force: true });
    await registry.stop();
  }
  table('health', rows);
}
