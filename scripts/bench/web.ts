/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * `npm run bench -- web`: the dashboard as a browser sees it (measured, never asserted).
 *
 * 1. Agent event → row in an open /events page: a real agent and the built dashboard; volumes are
 *    created and removed over the agent's API and the browser records (MutationObserver, its own
 *    clock, calibrated against this process's) when the row with the volume's name appears.
 * 2. The fleet page with 50 simulated hosts × 200 containers (scripts/bench/fleet-sim.ts: the agent's
 *    real API over 50 unix sockets in one process, fake data): /hosts load until every row is online
 *    with its CPU shown (and where that time goes), one host's page with its 200 containers, the web
 *    server's CPU, RSS and request latency (/api/health) with and without the page open, the
 *    browser's main thread, and the event latency again with the fleet connected.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { type Browser, type BrowserContext, chromium, type Page } from '@playwright/test';
import { type AgentConnection, connectAgentOnce } from '@stevedore/agent-api';
import { type AgentProcess, startAgent } from '../../apps/agent/test/harness/agent-process';
import { CHROMIUM_LAUNCH_OPTIONS } from '../../e2e/chromium';
import { startWebServer, type WebServer } from '../../e2e/harness/web-server';

type Table = (name: string, rows: [string, string][]) => void;

const repoRoot = resolve(import.meta.dirname, '../..');
const HOSTS = 50;
const CONTAINERS = 200;
/** Each simulated host reports one container event this often (50 hosts: 5 events/s). */
const SIM_EVENT_EVERY_MS = 10_000;
const WARMUP_PAIRS = 5;
const IDLE_PAIRS = 60;
const LOADED_PAIRS = 30;
const FLEET_LOADS = 5;
const OPEN_WINDOW_MS = 30_000;
const IDLE_WINDOW_MS = 15_000;
const ADMIN = { username: 'admin', password: 'bench password 1234' };

/** Wall-clock milliseconds with sub-millisecond resolution (the browser's is the same kind of clock). */
const nowMs = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

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
    sim = await startSimulator();
    const registerMs: number[] = [];
    const names = sim.sockets.map((_, i) => `sim-${String(i + 1).padStart(2, '0')}`);
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

    // One simulated host's own page: its 200 containers (polled every 3 s) and its images.
    const hostPage: number[] = [];
    for (let i = 0; i < FLEET_LOADS; i++) {
      const page = await context.newPage();
      await page.addInitScript(countProbe, [
        { selector: '[data-testid^="container-row-"]', count: CONTAINERS },
        { selector: '[data-testid="image-row"]', count: 1 },
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
        `a simulated host's page → its ${CONTAINERS} containers, images and info shown, median / max of ${FLEET_LOADS}`,
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
    await browser?.close().catch(() => {});
    await connection?.close().catch(() => {});
    await web?.stop().catch((error: Error) => console.error(`stopping the web server: ${error.message}`));
    await sim?.stop();
    await agent?.stop();
  }
}

async function logIn(context: BrowserContext, web: WebServer): Promise<void> {
  const page = await context.newPage();
  await page.goto(`${web.baseURL}/login`);
  await page.getByLabel('Username').fill(ADMIN.username);
  await page.getByLabel('Password').fill(ADMIN.password);
  await page.getByLabel('Set-up code').fill(web.setupCode);
  await page.getByRole('button', { name: 'Create admin and log in' }).click();
  await page.waitForURL(/\/hosts$/);
  await page.close();
}

/** A tRPC v11 mutation over HTTP as the logged-in admin (same-origin, as the dashboard's own forms). */
async function trpcMutation(
  context: BrowserContext,
  baseURL: string,
  path: string,
  input: unknown,
): Promise<unknown> {
  const response = await context.request.post(`${baseURL}/api/trpc/${path}`, {
    data: input,
    headers: { origin: baseURL },
  });
  if (!response.ok()) throw new Error(`${path} answered ${response.status()}: ${await response.text()}`);
  return ((await response.json()) as { result: { data: unknown } }).result.data;
}

/** Waits until every named host is online; resolves their ids by name. */
async function waitForOnline(
  context: BrowserContext,
  baseURL: string,
  names: string[],
): Promise<Map<string, string>> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const response = await context.request.get(`${baseURL}/api/trpc/hosts.list`);
    const hosts = ((await response.json()) as { result: { data: HostRow[] } }).result.data;
    const online = hosts.filter((h) => names.includes(h.name) && h.status.state === 'online').length;
    if (online === names.length) return new Map(hosts.map((h) => [h.name, h.id]));
    if (Date.now() > deadline)
      throw new Error(`only ${online} of ${names.length} simulated hosts came online`);
    await sleep(200);
  }
}
interface HostRow {
  id: string;
  name: string;
  status: { state: string };
}

// ---- 1. agent event → browser ----

interface Seen {
  dom: number;
  frame: number | null;
  at: string | null;
}
interface BenchWindow {
  __bench: { seen: Record<string, Seen> };
}
interface Sample {
  /** Node's clock before the API call → the row is in the DOM (browser's clock, corrected). */
  dom: number;
  /** … → the animation frame after that. */
  frame: number;
  /** The agent's event timestamp → the row is in the DOM. */
  fromStamp: number;
}

async function eventLatency(
  context: BrowserContext,
  baseURL: string,
  connection: AgentConnection,
  prefix: string,
  pairs: number,
): Promise<{ samples: Sample[]; api: number[]; lost: number; clock: { offset: number; rtt: number } }> {
  const page = await context.newPage();
  try {
    await page.goto(`${baseURL}/events`);
    await page.getByTestId('feed-state').filter({ hasText: 'live' }).waitFor();
    await page.evaluate(() => {
      const state: BenchWindow['__bench'] = { seen: {} };
      (window as unknown as BenchWindow).__bench = state;
      // Columns: Time (title = ISO timestamp), Host, Type, Action, Actor, Attributes.
      const record = (row: Element) => {
        const t = performance.timeOrigin + performance.now();
        const cells = row.querySelectorAll('td');
        const key = `${cells[3]?.textContent ?? ''} ${cells[4]?.textContent ?? ''}`;
        if (state.seen[key]) return;
        const entry: Seen = { dom: t, frame: null, at: cells[0]?.getAttribute('title') ?? null };
        state.seen[key] = entry;
        requestAnimationFrame(() => {
          entry.frame = performance.timeOrigin + performance.now();
        });
      };
      new MutationObserver((mutations) => {
        for (const mutation of mutations)
          for (const node of mutation.addedNodes) {
            if (!(node instanceof Element)) continue;
            if (node.matches('[data-testid="event-row"]')) record(node);
            else for (const row of node.querySelectorAll('[data-testid="event-row"]')) record(row);
          }
      }).observe(document.body, { childList: true, subtree: true });
    });
    const clock = await clockOffset(page);
    const samples: Sample[] = [];
    const api: number[] = [];
    let lost = 0;
    const tag = randomBytes(2).toString('hex');
    for (let i = 0; i < WARMUP_PAIRS + pairs; i++) {
      // The Actor column shows at most 12 characters of a name-less actor's ID (a volume's ID is its name).
      const name = `${prefix}${tag}${String(i).padStart(3, '0')}`;
      for (const action of ['create', 'destroy'] as const) {
        const t0 = nowMs();
        if (action === 'create') await connection.client.volumes.create.mutate({ Name: name });
        else await connection.client.volumes.remove.mutate({ name });
        const t1 = nowMs();
        const seen = await page
          .waitForFunction(
            (key) => {
              const entry = (window as unknown as BenchWindow).__bench.seen[key];
              return entry?.frame ? entry : null;
            },
            `${action} ${name}`,
            { timeout: 10_000, polling: 20 },
          )
          .then((handle) => handle.jsonValue() as Promise<Seen>)
          .catch(() => null);
        if (i >= WARMUP_PAIRS) {
          api.push(t1 - t0);
          if (seen) {
            const dom = seen.dom - clock.offset;
            samples.push({
              dom: dom - t0,
              frame: (seen.frame as number) - clock.offset - t0,
              fromStamp: seen.at ? dom - Date.parse(seen.at) : Number.NaN,
            });
          } else lost++;
        }
        await sleep(50 + Math.random() * 100);
      }
    }
    return { samples, api, lost, clock };
  } finally {
    await page.close();
  }
}

/** The browser's clock minus this process's, from the quickest of 20 round trips. */
async function clockOffset(page: Page): Promise<{ offset: number; rtt: number }> {
  let best = { offset: 0, rtt: Number.POSITIVE_INFINITY };
  for (let i = 0; i < 20; i++) {
    const before = nowMs();
    const browserNow = await page.evaluate(() => performance.timeOrigin + performance.now());
    const after = nowMs();
    if (after - before < best.rtt) best = { offset: browserNow - (before + after) / 2, rtt: after - before };
  }
  return best;
}

// ---- 2. the fleet page ----

interface ProbeWindow {
  __fleet: {
    allRows: number | null;
    ready: number | null;
    longTasks: { start: number; duration: number }[];
    /** MutationObserver callbacks so far: about one per React commit that changed the DOM. */
    domUpdates: number;
    /** The page opened its hosts.watchFleet stream, and its first message arrived. */
    streamOpened: number | null;
    firstMessage: number | null;
  };
}

/**
 * Runs in the page before its own scripts: records (page clock, ms since navigation) when the fleet
 * stream opens and first answers, when all rows, and all rows online with a CPU figure, are in the
 * DOM; counts DOM updates and keeps every long task.
 */
function fleetProbe(names: string[]): void {
  const state: ProbeWindow['__fleet'] = {
    allRows: null,
    ready: null,
    longTasks: [],
    domUpdates: 0,
    streamOpened: null,
    firstMessage: null,
  };
  // tRPC's subscription link opens an EventSource per subscription (at subscribe time).
  const NativeEventSource = window.EventSource;
  window.EventSource = class extends NativeEventSource {
    constructor(url: string | URL, init?: EventSourceInit) {
      super(url, init);
      if (!String(url).includes('hosts.watchFleet')) return;
      state.streamOpened ??= performance.now();
      this.addEventListener('message', () => {
        state.firstMessage ??= performance.now();
      });
    }
  };
  (window as unknown as ProbeWindow).__fleet = state;
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries())
      state.longTasks.push({ start: entry.startTime, duration: entry.duration });
  }).observe({ type: 'longtask', buffered: true });
  const check = () => {
    const now = performance.now();
    let present = 0;
    let ready = 0;
    for (const name of names) {
      const row = document.querySelector(`[data-testid="host-row-${name}"]`);
      if (!row) continue;
      present++;
      const hostState = row.querySelector('[data-testid="host-state"]')?.textContent?.trim();
      const cpu = row.querySelector('[data-testid="host-cpu"]')?.textContent?.trim();
      if (hostState === 'online' && cpu && cpu !== '—') ready++;
    }
    if (state.allRows === null && present === names.length) state.allRows = now;
    if (ready === names.length) {
      state.ready = now;
      observer.disconnect();
    }
  };
  const observer = new MutationObserver(check);
  observer.observe(document, { childList: true, subtree: true, characterData: true });
  new MutationObserver(() => {
    state.domUpdates++;
  }).observe(document, { childList: true, subtree: true, characterData: true, attributes: true });
}

interface CountWindow {
  __count: { done: number | null };
}

/** Runs in the page before its own scripts: records when every selector matches at least `count` elements. */
function countProbe(wanted: { selector: string; count: number }[]): void {
  const state: CountWindow['__count'] = { done: null };
  (window as unknown as CountWindow).__count = state;
  const observer = new MutationObserver(() => {
    if (wanted.every(({ selector, count }) => document.querySelectorAll(selector).length >= count)) {
      state.done = performance.now();
      observer.disconnect();
    }
  });
  observer.observe(document, { childList: true, subtree: true });
}

interface FleetLoad {
  ready: number;
  domContentLoaded: number;
  streamOpened: number;
  firstMessage: number;
  allRows: number;
  fcp: number;
  longTasks: number;
  longTaskMs: number;
  /** Next.js RSC requests the page made (its <Link> prefetches), and how many for host pages. */
  rscRequests: number;
  hostPagePrefetches: number;
}

async function fleetLoad(context: BrowserContext, baseURL: string, names: string[]): Promise<FleetLoad> {
  const page = await context.newPage();
  try {
    await page.addInitScript(fleetProbe, names);
    await page.goto(`${baseURL}/hosts`, { waitUntil: 'commit' });
    await page.waitForFunction(() => (window as unknown as ProbeWindow).__fleet?.ready != null, null, {
      timeout: 60_000,
      polling: 100,
    });
    await sleep(1_500); // let the page's link prefetches finish, to count them
    return await page.evaluate(() => {
      const fleet = (window as unknown as ProbeWindow).__fleet;
      const rsc = performance.getEntriesByType('resource').filter((entry) => entry.name.includes('_rsc='));
      const ready = fleet.ready as number;
      const early = fleet.longTasks.filter((task) => task.start <= ready);
      return {
        ready,
        domContentLoaded:
          (performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined)
            ?.domContentLoadedEventEnd ?? Number.NaN,
        streamOpened: fleet.streamOpened ?? Number.NaN,
        firstMessage: fleet.firstMessage ?? Number.NaN,
        allRows: fleet.allRows as number,
        fcp: performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? Number.NaN,
        longTasks: early.length,
        longTaskMs: early.reduce((sum, task) => sum + task.duration, 0),
        rscRequests: rsc.length,
        hostPagePrefetches: rsc.filter((entry) => /\/hosts\/[^/?]+\?/.test(entry.name)).length,
      };
    });
  } finally {
    await page.close();
  }
}

// ---- processes ----

interface Simulator {
  child: ChildProcess;
  sockets: string[];
  stop(): Promise<void>;
}

async function startSimulator(): Promise<Simulator> {
  const dir = mkdtempSync(join(tmpdir(), 'stevedore-bench-fleet-'));
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      join(repoRoot, 'scripts/bench/fleet-sim.ts'),
      dir,
      String(HOSTS),
      String(CONTAINERS),
      String(SIM_EVENT_EVERY_MS),
    ],
    { cwd: repoRoot, stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const force = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(force);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const sockets = await new Promise<string[]>((resolveReady, reject) => {
      const timer = setTimeout(
        () => reject(new Error('the fleet simulator did not start within 60 s')),
        60_000,
      );
      child.once('exit', (code) => reject(new Error(`the fleet simulator exited with ${code}`)));
      createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
        const message = JSON.parse(line) as { ready?: boolean; sockets?: string[] };
        if (message.ready && message.sockets) {
          clearTimeout(timer);
          resolveReady(message.sockets);
        }
      });
    });
    return { child, sockets, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** The dashboard process startWebServer spawned: the one whose environment names its data dir. */
function webServerPid(dataDir: string): number {
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
function healthProbe(baseURL: string): { stop(): Promise<number[]> } {
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

interface ProcessWindow {
  cpuPercent: number;
  rssMedianKiB: number;
  rssMaxKiB: number;
}

/** CPU share (of one core) and RSS, sampled every second, of each process over the next `ms`. */
async function processOver(pids: number[], ms: number): Promise<ProcessWindow[]> {
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

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}
