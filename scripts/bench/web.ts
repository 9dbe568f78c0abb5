/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * `npm run bench -- web`: the dashboard as a browser sees it (measured, never asserted).
 *
 * 1. Agent event → row in an open /events page: a real agent and the built dashboard; volumes are
 *    created and removed over the agent's API and the browser records (MutationObserver, its own
 *    clock, calibrated against this process's) when the row with the volume's name appears.
 * 2. The fleet page with 50 simulated hosts × 200 containers (FLEET_HOSTS, FLEET_CONTAINERS and
 *    FLEET_EVENTS_PER_S change the shape; scripts/bench/fleet-sim.ts: the agent's
 *    real API over 50 unix sockets in one process, fake data): /hosts load until every row is online
 *    with its CPU shown (and where that time goes), one host's page with its 200 containers, the web
 *    server's CPU, RSS and request latency (/api/health) with and without the page open, the
 *    browser's main thread, and the event latency again with the fleet connected.
 */
import type { Browser } from '@playwright/test';
import { chromium } from '@playwright/test';
import { type AgentConnection, connectAgentOnce } from '@stevedore/agent-api';
import { type AgentProcess, startAgent } from '../../apps/agent/test/harness/agent-process';
import { CHROMIUM_LAUNCH_OPTIONS } from '../../e2e/chromium';
import { startWebServer, type WebServer } from '../../e2e/harness/web-server';
import { simulatedHostName } from './fleet-sim/host-data';
import { eventLatency } from './web/event-latency';
import {
  type CountWindow,
  countProbe,
  type FleetLoad,
  fleetLoad,
  fleetProbe,
  type ProbeWindow,
} from './web/fleet-load';
import { fleetShapeFromEnv, type Simulator, startSimulator } from './web/fleet-simulator';
import { percentile, sleep } from './web/measure';
import { healthProbe, type ProcessWindow, processOver, webServerPid } from './web/process-usage';
import { logIn, trpcMutation, waitForOnline } from './web/session';

type Table = (name: string, rows: [string, string][]) => void;

/** 50 hosts × 200 containers, 5 container events/s fleet-wide, unless FLEET_HOSTS etc. say otherwise. */
const FLEET = fleetShapeFromEnv({ hosts: 50, containers: 200, eventEveryMs: 10_000 });
const HOSTS = FLEET.hosts;
const CONTAINERS = FLEET.containers;
/** Each simulated host reports one container event this often. */
const SIM_EVENT_EVERY_MS = FLEET.eventEveryMs;
const IDLE_PAIRS = 60;
const LOADED_PAIRS = 30;
const FLEET_LOADS = 5;
const OPEN_WINDOW_MS = 30_000;
const IDLE_WINDOW_MS = 15_000;

export async function benchWeb(table: Table): Promise<void> {
  let agent: AgentProcess | undefined;
  let web: WebServer | undefined;
  let browser: Browser | undefined;
  let connection: AgentConnection | undefined;
  let sim: Simulator | undefined;
  try {
    agent = await startAgent();
    web = await startWebServer({ localAgentSocket: agent.socketPath });
    const serverPid = webServerPid(web.dataDir);
    browser = await chromium.launch(CHROMIUM_LAUNCH_OPTIONS);
    const context = await browser.newContext();
    // tsx compiles this file with esbuild's keepNames, which wraps named inner functions in
    // `__name(fn, "name")`; the functions handed to the page carry those calls with them.
    await context.addInitScript({ content: 'globalThis.__name = (fn) => fn;' });
    await logIn(context, web);
    connection = await connectAgentOnce({ host: agent.host });

    // 1. Event latency with only the local agent.
    const idle = await eventLatency(context, web.baseURL, connection, 'bi', IDLE_PAIRS);

    // 2. The simulated fleet.
    sim = await startSimulator({ hosts: HOSTS, containers: CONTAINERS, eventEveryMs: SIM_EVENT_EVERY_MS });
    const registerMs: number[] = [];
    const names = sim.sockets.map((_, i) => simulatedHostName(i));
    for (const [i, socketPath] of sim.sockets.entries()) {
      const t = performance.now();
      await trpcMutation(context, web.baseURL, 'hosts.create', {
        name: names[i],
        transport: 'unix',
        socketPath,
        labels: { env: i % 5 === 0 ? 'prod' : 'staging', rack: `r${i % 4}` },
      });
      registerMs.push(performance.now() - t);
    }
    const hostIds = await waitForOnline(context, web.baseURL, names);

    // The overview the page waits for, computed by the server with nobody watching (as on a first visit).
    const fleetQuery: number[] = [];
    for (let i = 0; i < FLEET_LOADS; i++) {
      const t = performance.now();
      const response = await context.request.get(`${web.baseURL}/api/trpc/hosts.fleet`);
      if (!response.ok()) throw new Error(`hosts.fleet answered ${response.status()}`);
      await response.body();
      fleetQuery.push(performance.now() - t);
      await sleep(500);
    }

    const loads: FleetLoad[] = [];
    const healthDuringLoads: number[] = [];
    await fleetLoad(context, web.baseURL, names); // warm-up: the browser's cache, the server's first render
    for (let i = 0; i < FLEET_LOADS; i++) {
      await sleep(2_000);
      const health = healthProbe(web.baseURL);
      loads.push(await fleetLoad(context, web.baseURL, names));
      healthDuringLoads.push(...(await health.stop()));
    }

    // One simulated host's own page: its containers and engine info (images moved to their own tab).
    const hostPage: number[] = [];
    for (let i = 0; i < FLEET_LOADS; i++) {
      const page = await context.newPage();
      await page.addInitScript(countProbe, [
        { selector: `[data-testid="containers-count"][data-total="${CONTAINERS}"]`, count: 1 },
        { selector: '[data-testid="system-info"]', count: 1 },
      ]);
      await page.goto(`${web.baseURL}/hosts/${hostIds.get(names[0] as string)}`, { waitUntil: 'commit' });
      await page.waitForFunction(() => (window as unknown as CountWindow).__count.done !== null, null, {
        timeout: 60_000,
        polling: 100,
      });
      hostPage.push(await page.evaluate(() => (window as unknown as CountWindow).__count.done as number));
      await page.close();
    }

    // Nothing open: what 51 connected hosts cost the server by themselves.
    await sleep(2_000);
    const quietHealth = healthProbe(web.baseURL);
    const quiet = await processOver([serverPid, sim.child.pid as number], IDLE_WINDOW_MS);
    const healthQuiet = await quietHealth.stop();

    // The fleet page open for 30 s.
    const fleetPage = await context.newPage();
    await fleetPage.addInitScript(fleetProbe, names);
    await fleetPage.goto(`${web.baseURL}/hosts`);
    await fleetPage.waitForFunction(() => (window as unknown as ProbeWindow).__fleet.ready !== null, null, {
      timeout: 60_000,
      polling: 100,
    });
    const cdp = await context.newCDPSession(fleetPage);
    await cdp.send('Performance.enable');
    const taskSeconds = async () => {
      const { metrics } = await cdp.send('Performance.getMetrics');
      return metrics.find((m) => m.name === 'TaskDuration')?.value ?? Number.NaN;
    };
    const pageClock = () =>
      fleetPage.evaluate(() => ({
        now: performance.now(),
        updates: (window as unknown as ProbeWindow).__fleet.domUpdates,
      }));
    const pageStart = await pageClock();
    const tasksBefore = await taskSeconds();
    const openHealth = healthProbe(web.baseURL);
    const open = await processOver([serverPid, sim.child.pid as number], OPEN_WINDOW_MS);
    const healthOpen = await openHealth.stop();
    const tasksAfter = await taskSeconds();
    const pageEnd = await pageClock();
    const updatesPerSecond = ((pageEnd.updates - pageStart.updates) / (pageEnd.now - pageStart.now)) * 1000;
    const windowTasks = await fleetPage.evaluate(
      (since) => (window as unknown as ProbeWindow).__fleet.longTasks.filter((task) => task.start >= since),
      pageStart.now,
    );
    const rowsShown = await fleetPage.locator('[data-testid^="host-row-"]').count();

    // Event latency again, with the fleet connected and the fleet page still open.
    const loaded = await eventLatency(context, web.baseURL, connection, 'bl', LOADED_PAIRS);
    await fleetPage.close();

    const [server0, sim0] = quiet as [ProcessWindow, ProcessWindow];
    const [server1, sim1] = open as [ProcessWindow, ProcessWindow];
    const ms = (value: number) => `${value.toFixed(0)} ms`;
    const p = (values: number[], at: number) => ms(percentile(values, at));
    const spread = (values: number[]) => `${p(values, 50)} / ${p(values, 95)} / ${ms(Math.max(...values))}`;
    const cpu = (w: ProcessWindow) => `${w.cpuPercent.toFixed(1)} % of a core`;
    const mib = (kib: number) => `${(kib / 1024).toFixed(0)} MiB`;
    const stamp = idle.samples.map((s) => s.fromStamp);
    const ready = loads.map((l) => l.ready);
    const longTasks = loads.map((l) => l.longTasks);
    const longTaskMs = loads.map((l) => l.longTaskMs);
    const rscRequests = loads.map((l) => l.rscRequests);
    const hostPrefetches = loads.map((l) => l.hostPagePrefetches);
    const busy = ((tasksAfter - tasksBefore) / (OPEN_WINDOW_MS / 1000)) * 100;
    const longest = Math.max(0, ...windowTasks.map((t) => t.duration));
    table('web', [
      [
        `agent event → its row in an open /events page, p50 / p95 / max (volume create + destroy, ${idle.samples.length} events)`,
        spread(idle.samples.map((s) => s.dom)),
      ],
      [
        '… until the next animation frame after the row is in the DOM, p50 / p95 / max',
        spread(idle.samples.map((s) => s.frame)),
      ],
      ['… of which the agent API call (volumes.create / remove round trip), p50', p(idle.api, 50)],
      ["… from the agent's own event timestamp to the row, p50 / p95", `${p(stamp, 50)} / ${p(stamp, 95)}`],
      ['events not shown within 10 s', `${idle.lost} of ${idle.lost + idle.samples.length}`],
      [
        'browser clock − Node clock (calibrated; ± half the best round trip)',
        `${idle.clock.offset.toFixed(2)} ± ${(idle.clock.rtt / 2).toFixed(2)} ms`,
      ],
      [
        'simulated fleet',
        `${HOSTS} hosts × ${CONTAINERS} containers (one process, the agent's real API over unix sockets) + the real local agent; one container event per simulated host every ${SIM_EVENT_EVERY_MS / 1000} s`,
      ],
      [
        `registering a simulated host over the API (hosts.create incl. its connection test), median of ${HOSTS}`,
        p(registerMs, 50),
      ],
      [
        `/hosts navigation → all ${HOSTS} rows online with CPU shown, median / max of ${FLEET_LOADS}`,
        `${p(ready, 50)} / ${ms(Math.max(...ready))}`,
      ],
      [
        `… of which the server's overview (hosts.fleet over HTTP, nobody watching), median of ${FLEET_LOADS}`,
        p(fleetQuery, 50),
      ],
      [
        '… first contentful paint / DOMContentLoaded / hosts.watchFleet opened / its first message / all rows in the DOM (medians)',
        [
          loads.map((l) => l.fcp),
          loads.map((l) => l.domContentLoaded),
          loads.map((l) => l.streamOpened),
          loads.map((l) => l.firstMessage),
          loads.map((l) => l.allRows),
        ]
          .map((values) => p(values, 50))
          .join(' / '),
      ],
      [
        '… long tasks until ready (median count / median total)',
        `${percentile(longTasks, 50)} / ${p(longTaskMs, 50)}`,
      ],
      [
        '… Next.js RSC requests per /hosts load (link prefetches; of which for host pages), default 1280×720 viewport',
        `${percentile(rscRequests, 50)} (${percentile(hostPrefetches, 50)})`,
      ],
      [
        `a simulated host's page → its ${CONTAINERS} containers and engine info shown, median / max of ${FLEET_LOADS}`,
        `${p(hostPage, 50)} / ${ms(Math.max(...hostPage))}`,
      ],
      [
        `web server with no page open (${IDLE_WINDOW_MS / 1000} s): CPU, RSS`,
        `${cpu(server0)}, ${mib(server0.rssMaxKiB)}`,
      ],
      [
        `web server with /hosts open (${OPEN_WINDOW_MS / 1000} s): CPU, RSS median / max`,
        `${cpu(server1)}, ${mib(server1.rssMedianKiB)} / ${mib(server1.rssMaxKiB)}`,
      ],
      [
        'web server responsiveness: GET /api/health every 50 ms, p50 / p99 / max — no page open / /hosts open / during the /hosts loads',
        [healthQuiet, healthOpen, healthDuringLoads]
          .map(
            (values) =>
              `${values.length ? p(values, 50) : '—'}, ${p(values, 99)}, ${ms(Math.max(...values))}`,
          )
          .join(' / '),
      ],
      [
        `browser main thread with /hosts open (${OPEN_WINDOW_MS / 1000} s): busy share, long tasks (count, longest), DOM updates`,
        `${busy.toFixed(1)} %, ${windowTasks.length}, ${ms(longest)}, ${updatesPerSecond.toFixed(1)}/s (${rowsShown} rows shown)`,
      ],
      [
        'simulator process CPU (no page open / /hosts open)',
        `${sim0.cpuPercent.toFixed(1)} % / ${sim1.cpuPercent.toFixed(1)} %`,
      ],
      [
        `agent event → its row in /events with the fleet connected and /hosts open, p50 / p95 / max (${loaded.samples.length} events)`,
        spread(loaded.samples.map((s) => s.dom)),
      ],
      ['… events not shown within 10 s', `${loaded.lost} of ${loaded.lost + loaded.samples.length}`],
    ]);
  } finally {
    await browser?.close().catch((error: Error) => console.error(`closing the browser: ${error.message}`));
    await connection
      ?.close()
      .catch((error: Error) => console.error(`closing the agent connection: ${error.message}`));
    await web?.stop().catch((error: Error) => console.error(`stopping the web server: ${error.message}`));
    await sim?.stop();
    await agent?.stop();
  }
}
