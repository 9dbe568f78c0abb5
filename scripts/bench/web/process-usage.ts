/** What the dashboard's and the simulator's processes cost: CPU, RSS, request latency. */
import { readdirSync, readFileSync } from 'node:fs';
import { percentile, sleep } from './measure';

/** The dashboard process startWebServer spawned: the one whose environment names its data dir. */
export function webServerPid(dataDir: string): number {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const environ = readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0');
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (environ.includes(`STEVEDORE_DATA_DIR=${dataDir}`) && cmdline.includes('apps/web/dist/server.js'))
        return Number(entry);
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  throw new Error(`no web server process found for ${dataDir}`);
}

/**
 * Latencies of the dashboard's cheapest request (/api/health, answered before any routing), one
 * every 50 ms until stopped: how long the server's event loop keeps requests waiting.
 */
export function healthProbe(baseURL: string): { stop(): Promise<number[]> } {
  const samples: number[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const t = performance.now();
      try {
        await (await fetch(`${baseURL}/api/health`)).arrayBuffer();
      } catch {
        return; // the server went away (the benchmark is failing): nothing more to measure
      }
      samples.push(performance.now() - t);
      await sleep(50);
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return samples;
    },
  };
}

export interface ProcessWindow {
  cpuPercent: number;
  rssMedianKiB: number;
  rssMaxKiB: number;
}

/** CPU share (of one core) and RSS, sampled every second, of each process over the next `ms`. */
export async function processOver(pids: number[], ms: number): Promise<ProcessWindow[]> {
  const ticks = (pid: number) => {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return Number(fields[11]) + Number(fields[12]); // utime + stime, USER_HZ = 100
  };
  const rss = (pid: number) =>
    Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? Number.NaN);
  const start = pids.map(ticks);
  const t0 = performance.now();
  const samples: number[][] = pids.map(() => []);
  while (performance.now() - t0 < ms) {
    await sleep(1_000);
    for (const [i, pid] of pids.entries()) samples[i]?.push(rss(pid));
  }
  const elapsed = performance.now() - t0;
  return pids.map((pid, i) => ({
    cpuPercent: (((ticks(pid) - (start[i] as number)) * 10) / elapsed) * 100,
    rssMedianKiB: percentile(samples[i] as number[], 50),
    rssMaxKiB: Math.max(...(samples[i] as number[])),
  }));
}
