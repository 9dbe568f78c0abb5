/**
 * `npm run bench -- fleet-profile`: where the web server spends its CPU with the simulated fleet
 * connected and nobody watching, or with FLEET_PROFILE_WATCHERS browsers each on /hosts and
 * /containers (the fleet benchmark's "three browsers"). The built server runs under
 * `node --cpu-prof`; after the fleet is registered and settled, it runs for PROFILE_WINDOW_MS
 * (its CPU also read from /proc) and is stopped, and the profile's samples
 * of that last window are summed by function (self time) and printed. The .cpuprofile stays in
 * FLEET_CPU_PROF_DIR (default a temporary directory) for Chrome DevTools.
 */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from '@playwright/test';
import { CHROMIUM_LAUNCH_OPTIONS } from '../../../e2e/chromium';
import { startWebServer } from '../../../e2e/harness/web-server';
import { registerFleet } from './fleet';
import { openFleetWatchers } from './fleet-probes';
import { fleetShapeFromEnv, startSimulator } from './fleet-simulator';
import { sleep } from './measure';
import { type ProcessWindow, processOver, webServerPid } from './process-usage';
import { logIn } from './session';

type Table = (name: string, rows: [string, string][]) => void;

const SETTLE_MS = Number(process.env.FLEET_PROFILE_SETTLE_MS ?? 15_000);
const PROFILE_WINDOW_MS = 30_000;

interface CpuProfile {
  startTime: number;
  endTime: number;
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
  samples: number[];
  timeDeltas: number[];
}

export async function benchFleetProfile(table: Table): Promise<void> {
  const shape = fleetShapeFromEnv({ hosts: 500, containers: 50, eventEveryMs: 100_000 });
  const watchers = Number(process.env.FLEET_PROFILE_WATCHERS ?? 0);
  const churn = Number(process.env.FLEET_PROFILE_CHURN ?? 0);
  const dir = process.env.FLEET_CPU_PROF_DIR ?? mkdtempSync(join(tmpdir(), 'stevedore-fleet-prof-'));
  const sim = await startSimulator(shape);
  const web = await startWebServer({ nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${dir}`] });
  let usage: ProcessWindow | null = null;
  const browser = await chromium.launch(CHROMIUM_LAUNCH_OPTIONS);
  try {
    const context = await browser.newContext();
    await logIn(context, web);
    const { hostIds } = await registerFleet(context, web.baseURL, sim);
    // Pages opened and closed before the window (FLEET_PROFILE_CHURN rounds): what they leave behind.
    for (let i = 0; i < churn; i++) {
      const hostPage = `/hosts/${[...hostIds.values()][(i * 37) % hostIds.size]}`;
      for (const path of ['/hosts', hostPage, '/containers']) {
        const page = await context.newPage();
        await page.goto(`${web.baseURL}${path}`);
        await sleep(3_000);
        await page.close();
      }
    }
    const state = await context.storageState();
    await context.close();
    await openFleetWatchers(browser, state, web.baseURL, watchers);
    await sleep(SETTLE_MS);
    // The process's own figure (every thread: GC, libuv's pool) beside the profile's main thread.
    [usage] = (await processOver([webServerPid(web.dataDir)], PROFILE_WINDOW_MS)) as [ProcessWindow];
  } finally {
    await browser.close();
    await web.stop();
    await sim.stop();
  }
  const summary = summarizeProfile(dir, { lastMs: PROFILE_WINDOW_MS });
  const who = `${watchers > 0 ? `${watchers} browsers on /hosts + /containers` : 'nobody watching'}${churn > 0 ? ` (after ${churn} × /hosts, a host's page and /containers opened and closed)` : ''}`;
  table(`fleet-profile: ${shape.hosts} hosts × ${shape.containers} containers, ${who}`, [
    ['profile', summary.path],
    [
      `CPU in the last ${PROFILE_WINDOW_MS / 1000} s (samples not idle)`,
      `${summary.busyPercent.toFixed(1)} % of a core`,
    ],
    [
      'the process over the same window (/proc: every thread)',
      usage ? `${usage.cpuPercent.toFixed(1)} % of a core` : '',
    ],
    ...summary.top,
  ]);
}

/**
 * A web server's .cpuprofile in `dir` (the largest: the migration run writes a small one too),
 * its samples in a window summed by function (self time): the last `lastMs`, or between two
 * CLOCK_MONOTONIC readings in µs (`process.hrtime`, the clock V8 stamps the profile with).
 */
export function summarizeProfile(
  dir: string,
  window: { lastMs: number } | { fromUs: number; toUs: number },
  rows = 25,
): { path: string; busyPercent: number; top: [string, string][]; fromS: number; toS: number } {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .map((f) => join(dir, f));
  const path = files.sort((a, b) => readFileSync(b).length - readFileSync(a).length)[0];
  if (!path) throw new Error(`no .cpuprofile written in ${dir}`);
  const profile = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const [from, to] =
    'lastMs' in window
      ? [profile.endTime - window.lastMs * 1000, profile.endTime]
      : [window.fromUs, window.toUs];
  const self = new Map<string, number>();
  let at = profile.startTime;
  let windowUs = 0;
  let idleUs = 0;
  for (const [i, id] of profile.samples.entries()) {
    const delta = profile.timeDeltas[i] ?? 0;
    at += delta;
    if (at < from || at > to) continue;
    const frame = byId.get(id)?.callFrame;
    windowUs += delta;
    if (!frame || frame.functionName === '(idle)') {
      idleUs += delta;
      continue;
    }
    const file = frame.url.replace(/^.*node_modules\//, '').replace(/^.*\/apps\/web\//, '');
    const key = `${frame.functionName || '(anonymous)'} ${file}:${frame.lineNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + delta);
  }
  const share = (us: number) => (windowUs > 0 ? (us / windowUs) * 100 : 0);
  return {
    path,
    // The window's place in the profile (seconds from its start), to find its busy stretches.
    fromS: (from - profile.startTime) / 1e6,
    toS: (to - profile.startTime) / 1e6,
    busyPercent: share(windowUs - idleUs),
    top: [...self.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, rows)
      .map(([key, us]) => [key, `${share(us).toFixed(2)} %`]),
  };
}
