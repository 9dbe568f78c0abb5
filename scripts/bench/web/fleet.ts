/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * `npm run bench -- fleet`: issue 22's targets at fleet scale (measured, never asserted). A simulated
 * fleet (default 500 hosts × 50 containers, 5 container events/s fleet-wide; FLEET_HOSTS,
 * FLEET_CONTAINERS, FLEET_EVENTS_PER_S change it) plus a real local agent, and the built dashboard:
 * - /hosts from navigation until every row is online with its CPU shown (p50 / max);
 * - a simulated host's page until its containers and engine info show;
 * - /containers fleet-wide until every row is counted and live CPU figures show;
 * - the web server's CPU and RSS with nobody watching, and with three browsers on the fleet pages;
 * - the browser main thread's busy share and the bytes/s arriving with /hosts and /containers open;
 * - agent event → its row in an open /events page (p95) with the three browsers open;
 * - /api/health p99 with nobody watching and under load (page loads, three browsers).
 * With BENCH_BASELINE_WEB=<dir>[,<dir>…] (copies of other builds: <dir>/apps/web/{dist,.next}) the
 * same measurements run on those builds too, in turn against the same simulator and agent (only
 * same-run comparisons mean something on a shared machine). FLEET_HOLD_S=<s> pauses that long after
 * the idle window, with the server's pid printed, to look at it from outside (smaps, an inspector).
 */
import { execFileSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import type { Browser, BrowserContext } from '@playwright/test';
import { chromium } from '@playwright/test';
import { type AgentConnection, connectAgentOnce } from '@stevedore/agent-api';
import { type AgentProcess, startAgent } from '../../../apps/agent/test/harness/agent-process';
import { CHROMIUM_LAUNCH_OPTIONS } from '../../../e2e/chromium';
import { startWebServer } from '../../../e2e/harness/web-server';
import { simulatedHostName } from '../fleet-sim/host-data';
import { eventLatency } from './event-latency';
import { type CountWindow, countProbe, type FleetLoad, fleetLoad } from './fleet-load';
import { containersLoad, openFleetWatchers, openPageCost } from './fleet-probes';
import { summarizeProfile } from './fleet-profile';
import {
  type BuildFigures,
  IDLE_WINDOW_MS,
  LOADS,
  OPEN_WINDOW_MS,
  type PageLoadSamples,
  report,
} from './fleet-report';
import { fleetShapeFromEnv, type Simulator, startSimulator } from './fleet-simulator';
import { sleep } from './measure';
import {
  healthProbe,
  type ProcessWindow,
  pairedProbe,
  processOver,
  startFloorServer,
  webServerPid,
} from './process-usage';
import { logIn, trpcMutation, waitForOnline } from './session';

type Table = (name: string, rows: [string, string][]) => void;

const EVENT_PAIRS = 20;
const REGISTER_CONCURRENCY = 4;

/**
 * FLEET_PIN_CPUS=1: the web server gets CPU 0 to itself, and everything else (this process with its
 * probes, Chromium, the simulated hosts, the local agent, the do-nothing server) shares CPU 1. In
 * use the browser and the hosts are other machines; on a 2-core machine they otherwise take the
 * server's CPU while a page loads, and a request then waits for the CPU, not for the server.
 */
const PIN_CPUS = process.env.FLEET_PIN_CPUS === '1';

/** Pins a process and all its threads (and the threads and processes it starts later) to one CPU. */
function pinToCpu(pid: number, cpu: number): void {
  execFileSync('taskset', ['-a', '-pc', String(cpu), String(pid)], { stdio: 'ignore' });
}

export async function benchFleet(table: Table): Promise<void> {
  const shape = fleetShapeFromEnv({ hosts: 500, containers: 50, eventEveryMs: 100_000 });
  let agent: AgentProcess | undefined;
  let sim: Simulator | undefined;
  let browser: Browser | undefined;
  let connection: AgentConnection | undefined;
  if (PIN_CPUS) {
    if (availableParallelism() < 2) throw new Error('FLEET_PIN_CPUS=1 needs two CPUs');
    pinToCpu(process.pid, 1); // what this process starts from now on runs on CPU 1 too
  }
  try {
    agent = await startAgent();
    connection = await connectAgentOnce({ host: agent.host });
    sim = await startSimulator(shape);
    browser = await chromium.launch(CHROMIUM_LAUNCH_OPTIONS);
    // FLEET_THIS_BUILD=0 measures only the baseline builds (while this checkout is being rebuilt).
    const builds = [
      ...(process.env.FLEET_THIS_BUILD === '0'
        ? []
        : [{ label: 'this build', root: undefined as string | undefined }]),
      ...(process.env.BENCH_BASELINE_WEB ?? '')
        .split(',')
        .filter(Boolean)
        .map((root) => ({ label: root, root })),
    ];
    for (const build of builds) {
      const figures = await measureBuild(browser, agent, connection, sim, shape, build.root);
      table(`fleet: ${build.label}`, report(figures, shape, PIN_CPUS));
    }
  } finally {
    await browser?.close().catch((error: Error) => console.error(`closing the browser: ${error.message}`));
    await connection
      ?.close()
      .catch((error: Error) => console.error(`closing the agent connection: ${error.message}`));
    await sim?.stop();
    await agent?.stop();
  }
}

async function measureBuild(
  browser: Browser,
  agent: AgentProcess,
  connection: AgentConnection,
  sim: Simulator,
  shape: { hosts: number; containers: number },
  buildRoot: string | undefined,
): Promise<BuildFigures> {
  const profileDir = process.env.FLEET_CPU_PROF_DIR;
  const web = await startWebServer({
    localAgentSocket: agent.socketPath,
    ...(buildRoot ? { buildRoot } : {}),
    // FLEET_NODE_ARGS: flags for the server's node (e.g. garbage collector settings to compare).
    nodeArgs: [
      ...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []),
      ...(process.env.FLEET_NODE_ARGS ?? '').split(' ').filter(Boolean),
    ],
  });
  // CLOCK_MONOTONIC in µs, as V8 stamps the profile: the windows the profile is summed over.
  const now = () => Number(process.hrtime.bigint() / 1000n);
  const profileWindows: { name: string; fromUs: number; toUs: number }[] = [];
  const contexts: BrowserContext[] = [];
  const floorServer = await startFloorServer();
  try {
    const serverPid = webServerPid(web.dataDir);
    if (PIN_CPUS) pinToCpu(serverPid, 0);
    const context = await browser.newContext();
    contexts.push(context);
    // A loaded machine answers slowly at 500 hosts: wait, and measure, rather than fail the run.
    context.setDefaultTimeout(120_000);
    context.setDefaultNavigationTimeout(120_000);
    // tsx's keepNames wraps named inner functions in `__name(…)`; the page needs it defined.
    await context.addInitScript({ content: 'globalThis.__name = (fn) => fn;' });
    await logIn(context, web);

    const t0 = performance.now();
    const { names, hostIds } = await registerFleet(context, web.baseURL, sim);
    const registerS = (performance.now() - t0) / 1000;
    progress(`${names.length} hosts registered and online in ${registerS.toFixed(0)} s`);

    // A page's code loads on its first request after the server starts (once per process): here,
    // before anything is measured. The containers list this starts goes cold again (nobody watches
    // it for longer than its 10 s linger) before the idle window.
    for (const path of ['/hosts', `/hosts/${hostIds.get(names[0] as string)}`, '/containers']) {
      const page = await context.newPage();
      await page.goto(`${web.baseURL}${path}`, { waitUntil: 'load' });
      await page.close();
    }

    // Nobody watching: what the connected fleet costs the server by itself.
    await sleep(15_000);
    const health = healthProbe(web.baseURL);
    const [idle] = (await processOver([serverPid], IDLE_WINDOW_MS)) as [ProcessWindow];
    const healthIdle = await health.stop();
    progress(
      `nobody watching: ${idle.cpuPercent.toFixed(1)} % CPU, ${(idle.rssMaxKiB / 1024).toFixed(0)} MiB`,
    );

    if (process.env.FLEET_HOLD_S) {
      progress(`holding ${process.env.FLEET_HOLD_S} s: the web server's pid is ${serverPid}`);
      await sleep(Number(process.env.FLEET_HOLD_S) * 1000);
    }

    // /hosts loads (after a warm-up), with the health probe running.
    await fleetLoad(context, web.baseURL, names, 180_000);
    const hostsLoads: FleetLoad[] = [];
    const healthDuringLoads: PageLoadSamples = { hosts: [], hostPage: [], containers: [] };
    const floorDuringLoads: PageLoadSamples = { hosts: [], hostPage: [], containers: [] };
    const during = async (page: keyof PageLoadSamples, load: () => Promise<void>) => {
      const probe = pairedProbe(web.baseURL, floorServer.baseURL);
      await load();
      const { health, floor } = await probe.stop();
      healthDuringLoads[page].push(...health);
      floorDuringLoads[page].push(...floor);
    };
    const hostsFrom = now();
    for (let i = 0; i < LOADS; i++) {
      await sleep(2_000);
      await during('hosts', async () => {
        hostsLoads.push(await fleetLoad(context, web.baseURL, names, 180_000));
      });
    }

    profileWindows.push({ name: '/hosts loads', fromUs: hostsFrom, toUs: now() });
    progress(`/hosts ready: ${hostsLoads.map((l) => l.ready.toFixed(0)).join(', ')} ms`);

    // A simulated host's page: its containers and engine info shown.
    const hostPage: number[] = [];
    for (let i = 0; i <= LOADS; i++) {
      const page = await context.newPage();
      await page.addInitScript(countProbe, [
        { selector: `[data-testid="containers-count"][data-total="${shape.containers}"]`, count: 1 },
        { selector: '[data-testid="system-info"]', count: 1 },
      ]);
      const name = names[(i * 37) % names.length] as string;
      await during('hostPage', async () => {
        await page.goto(`${web.baseURL}/hosts/${hostIds.get(name)}`, { waitUntil: 'commit' });
        await page.waitForFunction(() => (window as unknown as CountWindow).__count.done !== null, null, {
          timeout: 120_000,
          polling: 100,
        });
      });
      const done = await page.evaluate(() => (window as unknown as CountWindow).__count.done as number);
      if (i > 0) hostPage.push(done); // the first warms the route
      await page.close();
    }

    progress(`host page: ${hostPage.map((v) => v.toFixed(0)).join(', ')} ms`);

    // /containers fleet-wide: every row counted (the local agent's too), live CPU shown.
    const total = shape.hosts * shape.containers;
    const containersLoads: { ready: number; firstMessage: number }[] = [];
    let containersCold: { ready: number; firstMessage: number } | null = null;
    const containersFrom = now();
    for (let i = 0; i <= LOADS; i++) {
      await during('containers', async () => {
        const load = await containersLoad(context, `${web.baseURL}/containers`, total);
        // The first finds the list cold (nobody watched it since the idle window); the others warm.
        if (i > 0) containersLoads.push(load);
        else containersCold = load;
      });
      await sleep(2_000);
    }

    profileWindows.push({ name: '/containers loads', fromUs: containersFrom, toUs: now() });
    progress(`/containers ready: ${containersLoads.map((l) => l.ready.toFixed(0)).join(', ')} ms`);

    // One page open at a time: main thread and bytes from the server.
    const hostsOpen = await openPageCost(
      context,
      `${web.baseURL}/hosts`,
      (page) =>
        page.waitForFunction(
          (want) => {
            const list = document.querySelector('[data-testid="hosts-rows"]');
            const total = Number(list?.getAttribute('data-total'));
            return total >= want && Number(list?.getAttribute('data-live')) === total;
          },
          names.length,
          { timeout: 120_000, polling: 200 },
        ),
      OPEN_WINDOW_MS,
    );
    const containersOpen = await openPageCost(
      context,
      `${web.baseURL}/containers`,
      (page) =>
        page.waitForFunction(
          (want) =>
            Number(document.querySelector('[data-testid="containers-count"]')?.getAttribute('data-total')) >=
            want,
          total,
          { timeout: 120_000, polling: 200 },
        ),
      OPEN_WINDOW_MS,
    );

    progress(
      `open /hosts: ${JSON.stringify(hostsOpen)}; open /containers: ${JSON.stringify(containersOpen)}`,
    );

    // Three browsers on the fleet pages (/hosts and /containers each).
    contexts.push(...(await openFleetWatchers(browser, await context.storageState(), web.baseURL, 3)));
    await sleep(10_000);
    const watchedProbe = pairedProbe(web.baseURL, floorServer.baseURL);
    const watchedFrom = now();
    const [watched] = (await processOver([serverPid], IDLE_WINDOW_MS)) as [ProcessWindow];
    profileWindows.push({ name: 'three browsers open', fromUs: watchedFrom, toUs: now() });
    const latency = await eventLatency(
      context,
      web.baseURL,
      connection,
      `f${buildRoot ? 'b' : 't'}`,
      EVENT_PAIRS,
    );
    const { health: healthWatched, floor: floorWatched } = await watchedProbe.stop();
    return {
      registerS,
      idle,
      healthIdle,
      hostsLoads,
      healthDuringLoads,
      floorDuringLoads,
      hostPage,
      containersLoads,
      containersCold,
      hostsOpen,
      containersOpen,
      watched,
      healthWatched,
      floorWatched,
      events: latency.samples.map((s) => s.dom),
      eventsLost: latency.lost,
    };
  } finally {
    for (const context of contexts)
      await context.close().catch((error: Error) => console.error(`closing a context: ${error.message}`));
    await web.stop().catch((error: Error) => console.error(`stopping the web server: ${error.message}`));
    floorServer.stop();
    for (const window of profileDir ? profileWindows : []) {
      const summary = summarizeProfile(profileDir as string, window, 12);
      progress(
        `CPU profile, ${window.name} (${summary.path}, ${summary.fromS.toFixed(1)}–${summary.toS.toFixed(1)} s): ${summary.busyPercent.toFixed(1)} % busy`,
      );
      for (const [where, share] of summary.top) progress(`  ${share} ${where}`);
    }
  }
}

/** A figure as soon as it is measured (stderr): a run that fails later still leaves them. */
const progress = (line: string) => console.error(`[fleet] ${line}`);

/** Registers every simulated host (a few at a time) and waits until all are online; ids by name. */
export async function registerFleet(
  context: BrowserContext,
  baseURL: string,
  sim: Simulator,
): Promise<{ names: string[]; hostIds: Map<string, string> }> {
  const names = sim.sockets.map((_, i) => simulatedHostName(i));
  let next = 0;
  await Promise.all(
    Array.from({ length: REGISTER_CONCURRENCY }, async () => {
      for (let i = next++; i < names.length; i = next++) {
        const host = {
          name: names[i],
          transport: 'unix',
          socketPath: sim.sockets[i],
          labels: { env: i % 5 === 0 ? 'prod' : 'staging', rack: `r${i % 8}` },
        };
        // On a loaded machine a connection test can time out (UNAVAILABLE, 503): try again.
        for (let attempt = 1; ; attempt++) {
          try {
            await trpcMutation(context, baseURL, 'hosts.create', host);
            break;
          } catch (error) {
            if (attempt >= 3 || !String(error).includes('answered 503')) throw error;
            console.error(`registering ${host.name}: ${(error as Error).message}; trying again`);
          }
        }
      }
    }),
  );
  return { names, hostIds: await waitForOnline(context, baseURL, names, 180_000) };
}
