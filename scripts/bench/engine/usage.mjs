// `npm run bench usage`: what a container's usage history costs. Seven days and an hour of
// synthetic 1 s readings for N containers go through the agent's real writer (UsageRecorder, in
// this process, as fast as it can write): disk per container, writer CPU, memory per container,
// and query latency per range. Then a real agent with 10 idle containers and no subscriber: its
// CPU, which is now the sampler ticking for the history (BENCH_BASELINE_AGENT=<path of another
// build's bin/stevedore-agent.js> adds the same measure for that build, e.g. main's, as "before").
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import pino from 'pino';
import {
  cliBin,
  cpuOver,
  median,
  removeCgroupDirs,
  rssKiB,
  sleep,
  startAgent,
  table,
  writeConfig,
} from './common.mjs';

const DAY = 86_400;
const MiB = 1024 * 1024;

export async function benchUsage() {
  const rows = [...(await syntheticHistory()), ...(await idleAgentCpu())];
  table('usage', rows);
}

/** Counters of a container doing something that varies: CPU in waves, memory drifting, some I/O. */
function reading(id, second, index, totals) {
  const wave = (Math.sin(second / 600 + index) + 1) / 2;
  totals.cpu += (0.05 + 0.4 * wave) * 1e9;
  totals.rx += 2000 * wave;
  totals.tx += 800 * wave;
  totals.read += second % 30 === 0 ? 65_536 : 0;
  totals.write += 4096 * wave;
  return {
    id,
    counters: {
      cpuNanos: totals.cpu,
      memoryUsage: (64 + 32 * wave) * MiB,
      inactiveFile: 8 * MiB,
      memoryLimit: 256 * MiB,
      blockRead: totals.read,
      blockWrite: totals.write,
      pids: 3 + (second % 7),
      throttledPeriods: totals.cpu / 1e8,
      throttledNanos: totals.cpu / 10,
      periods: second * 10,
      swapUsage: (second % 600) * 4096,
    },
    network: { rx: totals.rx, tx: totals.tx },
    systemCpuNanos: second * 2e9,
  };
}

async function syntheticHistory() {
  const { UsageRecorder, USAGE_BYTES_PER_CONTAINER } = await import(
    '../../../apps/agent/src/runtime/stats/usage-recorder.ts'
  );
  const { queryUsage } = await import('../../../apps/agent/src/runtime/stats/usage-query.ts');
  const containers = Number(process.env.BENCH_USAGE_CONTAINERS ?? 10);
  const root = mkdtempSync(join(tmpdir(), 'stevedore-bench-usage-'));
  try {
    const ids = Array.from({ length: containers }, () => randomBytes(32).toString('hex'));
    const totals = ids.map(() => ({ cpu: 0, rx: 0, tx: 0, read: 0, write: 0 }));
    const recorder = new UsageRecorder(root, 2, pino({ level: 'warn' }));
    recorder.init([]);
    const end = Math.floor(Date.now() / 1000);
    const start = end - 7 * DAY - 3600;
    global.gc?.();
    const heap = () => {
      const usage = process.memoryUsage();
      return usage.heapUsed + usage.arrayBuffers;
    };
    const heapBefore = heap();
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    for (let second = start; second <= end; second++) {
      recorder.record(
        second * 1000,
        ids.map((id, index) => reading(id, second, index, totals[index])),
      );
    }
    const wallMs = performance.now() - started;
    const cpu = process.cpuUsage(cpuBefore);
    global.gc?.();
    const heapAfter = heap();
    const seconds = end - start + 1;

    let allocated = 0;
    let apparent = 0;
    for (const id of ids) {
      for (const file of readdirSync(join(root, id))) {
        const stat = statSync(join(root, id, file));
        allocated += stat.blocks * 512;
        apparent += stat.size;
      }
    }
    const timings = {};
    const cpuTimes = {};
    const sizes = {};
    for (const range of ['5m', '1h', '24h', '7d']) {
      const times = [];
      const cpus = [];
      for (let i = 0; i < 7; i++) {
        const t = performance.now();
        const c = process.cpuUsage();
        const history = await queryUsage(root, ids[0], { range, maxPoints: 1200 }, end);
        const used = process.cpuUsage(c);
        cpus.push((used.user + used.system) / 1000);
        times.push(performance.now() - t);
        sizes[range] =
          `${history.timestamps.length} points × ${history.step} s, ${(JSON.stringify(history).length / 1024).toFixed(0)} KiB JSON`;
      }
      timings[range] = median(times);
      cpuTimes[range] = median(cpus);
    }
    recorder.close();
    const writeCpuMs = (cpu.user + cpu.system) / 1000;
    return [
      [
        `7 days + 1 h of 1 s samples for ${containers} containers through the real writer (${seconds} ticks)`,
        `${(wallMs / 1000).toFixed(1)} s wall, ${(writeCpuMs / 1000).toFixed(1)} s CPU`,
      ],
      [
        'writer CPU per container-second recorded (one 1 s record; minute summaries included)',
        `${((writeCpuMs * 1000) / (seconds * containers)).toFixed(2)} µs`,
      ],
      [
        'disk per container after 7 days (allocated / apparent size / bound)',
        `${(allocated / containers / MiB).toFixed(2)} MiB / ${(apparent / containers / MiB).toFixed(2)} MiB / ${(USAGE_BYTES_PER_CONTAINER / MiB).toFixed(2)} MiB`,
      ],
      [
        'writer memory per container (live heap + buffers after GC, growth over the run / containers)',
        `${((heapAfter - heapBefore) / containers / 1024).toFixed(1)} KiB`,
      ],
      ...['5m', '1h', '24h', '7d'].map((range) => [
        `query ${range} (median of 7): ${sizes[range]}`,
        `${timings[range].toFixed(1)} ms wall, ${cpuTimes[range].toFixed(1)} ms CPU`,
      ]),
    ];
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/** Agent CPU with 10 idle containers and nobody subscribed (median of 3 × 10 s), and its RSS. */
async function idleAgentCpu() {
  const { startRegistry } = await import('../../../apps/agent/test/harness/registry.ts');
  const { pushBusybox } = await import('../../../apps/agent/test/harness/test-images.ts');
  const registry = await startRegistry();
  const rows = [];
  try {
    const image = (await pushBusybox(registry)).reference;
    const builds = [['this build', undefined]];
    if (process.env.BENCH_BASELINE_AGENT) builds.push(['baseline', process.env.BENCH_BASELINE_AGENT]);
    for (const [label, bin] of builds) {
      const cgroupParent = `stevedore-bench-${randomBytes(3).toString('hex')}`;
      const configFile = writeConfig({ 'cgroup-parent': cgroupParent });
      const agent = await startAgent(['--config-file', configFile], bin);
      const host = `unix://${agent.socket}`;
      const cli = (...args) => {
        const result = spawnSync(cliBin, ['-H', host, ...args], { encoding: 'utf8' });
        if (result.status !== 0) throw new Error(`stevedore ${args.join(' ')} failed: ${result.stderr}`);
        return result.stdout.trim();
      };
      try {
        cli('pull', '-q', image);
        const rssBefore = rssKiB(agent.child.pid);
        const ids = [];
        for (let i = 0; i < 10; i++) ids.push(cli('run', '-d', '--network', 'none', image, 'sleep', '3600'));
        await sleep(3000);
        const windows = [];
        for (let round = 0; round < 3; round++) windows.push(await cpuOver(agent.child.pid, 10_000));
        const idle = windows.sort((a, b) => a.total - b.total)[1];
        const rssAfter = rssKiB(agent.child.pid);
        const usageDir = join(agent.base, 'data', 'usage');
        let allocated = 0;
        for (const id of ids) {
          try {
            for (const file of readdirSync(join(usageDir, id)))
              allocated += statSync(join(usageDir, id, file)).blocks * 512;
          } catch {
            // The baseline build records no history: nothing to count.
          }
        }
        rows.push([
          `agent CPU, 10 idle containers, no subscriber (${label}${bin ? `: ${bin}` : ''}; median of 3 × 10 s)`,
          `${((idle.total / 10_000) * 100).toFixed(2)} % of a core (user ${idle.user} ms, kernel ${idle.system} ms per 10 s)`,
        ]);
        rows.push([
          `agent RSS growth per running container, 10 containers after ~35 s (${label}; noisy: GC timing)`,
          `${((rssAfter - rssBefore) / 1024 / 10).toFixed(2)} MiB; history on disk ${(allocated / 10 / 1024).toFixed(0)} KiB per container`,
        ]);
        for (const id of ids) cli('rm', '-f', id);
      } finally {
        await agent.stop();
        removeCgroupDirs(cgroupParent);
        rmSync(dirname(configFile), { recursive: true, force: true });
      }
    }
  } finally {
    await registry.stop();
  }
  return rows;
}
