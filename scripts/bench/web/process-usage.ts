/** What the dashboard's and the simulator's processes cost: CPU, RSS, request latency. */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { Worker } from 'node:worker_threads';
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
 * The probe loop, in a worker thread of its own: the benchmark's main thread drives Playwright, and
 * a probe there measured that thread's own pauses (a large CDP message, its garbage collection) as
 * the server's latency.
 */
const PROBE_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const samples = workerData.urls.map(() => []);
let running = true;
parentPort.once('message', () => { running = false; });
const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const loops = workerData.urls.map(async (url, i) => {
  while (running) {
    const t = performance.now();
    try {
      await (await fetch(url)).arrayBuffer();
    } catch {
      return; // the server went away (the benchmark is failing): nothing more to measure
    }
    samples[i].push(performance.now() - t);
    await pause(workerData.everyMs);
  }
});
Promise.all(loops).then(() => parentPort.postMessage(samples));
`;

/** Each URL asked every 50 ms (one request at a time each) until stopped; the latencies by URL. */
function probeLatency(urls: string[]): { stop(): Promise<number[][]> } {
  const worker = new Worker(PROBE_WORKER, { eval: true, workerData: { urls, everyMs: 50 } });
  const done = new Promise<number[][]>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  return {
    stop: async () => {
      worker.postMessage('stop');
      const samples = await done;
      await worker.terminate();
      return samples;
    },
  };
}

/**
 * Latencies of the dashboard's cheapest request (/api/health, answered before any routing), one
 * every 50 ms until stopped: how long the server's event loop keeps requests waiting.
 */
export function healthProbe(baseURL: string): { stop(): Promise<number[]> } {
  const probe = probeLatency([`${baseURL}/api/health`]);
  return { stop: async () => (await probe.stop())[0] ?? [] };
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

/**
 * A do-nothing HTTP server in a process of its own, to probe like /api/health at the same time:
 * what the machine itself adds to any request (its cores shared with the browser, the simulator
 * and the benchmark's own process, which also sends the probes). The floor under health's figures.
 */
export async function startFloorServer(): Promise<{ baseURL: string; stop(): void }> {
  const child = spawn(
    process.execPath,
    [
      '-e',
      "require('node:http').createServer((_, res) => res.end('ok')).listen(0, '127.0.0.1', function () { console.log(this.address().port); });",
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const lines = createInterface({ input: child.stdout });
  const port = await new Promise<number>((resolve, reject) => {
    lines.once('line', (line) => resolve(Number(line)));
    child.once('exit', (code) => reject(new Error(`the floor server exited (${code}) before listening`)));
  });
  lines.close();
  return { baseURL: `http://127.0.0.1:${port}`, stop: () => child.kill() };
}

/** /api/health and the floor server probed together (one worker). */
export function pairedProbe(
  healthURL: string,
  floorURL: string,
): { stop(): Promise<{ health: number[]; floor: number[] }> } {
  const probe = probeLatency([`${healthURL}/api/health`, floorURL]);
  return {
    stop: async () => {
      const [health = [], floor = []] = await probe.stop();
      return { health, floor };
    },
  };
}
