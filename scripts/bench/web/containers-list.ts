/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * `npm run bench -- containers`: the fleet-wide containers list (/containers) in Chromium, measured
 * (never asserted).
 *
 * 1. Click → the row shows the new state: a real agent, the built dashboard, a busybox container
 *    stopped and started with its row's own button; the page's clock from the click to the state
 *    text changing in the row (MutationObserver), and the bulk call's own round trip beside it.
 * 2. 100 simulated hosts × 50 containers (scripts/bench/fleet-sim.ts, live stats at 1 Hz): /containers
 *    from navigation until every row is counted and CPU figures show; then the page left open for
 *    30 s: the web server's CPU, the browser main thread's busy share (CDP TaskDuration), long tasks.
 */
import type { Browser, BrowserContext, Page } from '@playwright/test';
import { chromium } from '@playwright/test';
import { type AgentProcess, startAgent } from '../../../apps/agent/test/harness/agent-process';
import { runCli } from '../../../apps/agent/test/harness/cli-process';
import { CHROMIUM_LAUNCH_OPTIONS } from '../../../e2e/chromium';
import { startWebServer, type WebServer } from '../../../e2e/harness/web-server';
import { type Simulator, startSimulator } from './fleet-simulator';
import { percentile, sleep } from './measure';
import { type ProcessWindow, processOver, webServerPid } from './process-usage';
import { logIn, trpcMutation, waitForOnline } from './session';

type Table = (name: string, rows: [string, string][]) => void;

const TOGGLES = 20;
const HOSTS = 100;
const CONTAINERS = 50;
const LOADS = 3;
const OPEN_WINDOW_MS = 30_000;
const NAME = 'bench-toggle';

interface ClickTiming {
  row: number;
  call: number;
}

/** In the page: clicks the row's button and resolves when the row's state reads `want`. */
async function clickUntil(page: Page, action: string, want: string): Promise<ClickTiming> {
  // The row's previous action may still be answering (its event already changed the state).
  await page
    .getByTestId(`container-row-${NAME}`)
    .getByRole('button', { name: `${action} ${NAME}` })
    .and(page.locator('button:enabled'))
    .waitFor({ timeout: 15_000 });
  return page.evaluate(
    ({ name, action, want }) =>
      new Promise<ClickTiming>((resolve, reject) => {
        const stateOf = () =>
          document
            .querySelector(`[data-testid="container-row-${name}"] [data-testid="container-state"]`)
            ?.textContent?.trim();
        const button = document.querySelector<HTMLButtonElement>(
          `[data-testid="container-row-${name}"] button[aria-label="${action} ${name}"]`,
        );
        if (!button || button.disabled) {
          reject(new Error(`no enabled ${action} button for ${name} (state ${stateOf()})`));
          return;
        }
        performance.clearResourceTimings();
        const start = performance.now();
        const timeout = setTimeout(() => {
          observer.disconnect();
          reject(new Error(`${name} did not show ${want} within 15 s after ${action} (state ${stateOf()})`));
        }, 15_000);
        const observer = new MutationObserver(() => {
          if (stateOf() !== want) return;
          const row = performance.now() - start;
          clearTimeout(timeout);
          observer.disconnect();
          const call = performance
            .getEntriesByType('resource')
            .find((entry) => entry.name.includes('containers.fleet.bulk')) as
            | PerformanceResourceTiming
            | undefined;
          resolve({ row, call: call ? call.responseEnd - call.startTime : Number.NaN });
        });
        observer.observe(document.body, { subtree: true, childList: true, characterData: true });
        button.click();
      }),
    { name: NAME, action, want },
  );
}

interface TestRegistry {
  stop(): Promise<void>;
}
/**
 * The agent's test registry and busybox image, loaded by a path TypeScript does not follow: this
 * program is compiled with the DOM library (for the in-page probes), whose fetch types reject the
 * harness's Node-typed request bodies.
 */
async function testRegistry(): Promise<{
  startRegistry(): Promise<TestRegistry>;
  pushBusybox(registry: TestRegistry): Promise<{ reference: string }>;
}> {
  const harness = '../../../apps/agent/test/harness';
  const [registry, images] = await Promise.all([
    import(`${harness}/registry.ts`),
    import(`${harness}/test-images.ts`),
  ]);
  return { startRegistry: registry.startRegistry, pushBusybox: images.pushBusybox };
}

async function clickToRow(context: BrowserContext, web: WebServer, agent: AgentProcess) {
  const { startRegistry, pushBusybox } = await testRegistry();
  let registry: TestRegistry | undefined;
  const stop: ClickTiming[] = [];
  const start: ClickTiming[] = [];
  try {
    registry = await startRegistry();
    const image = await pushBusybox(registry);
    const cli = async (args: string[]) => {
      const result = await runCli(['-H', agent.host, ...args]);
      if (result.code !== 0) throw new Error(`stevedore ${args.join(' ')}: ${result.stderr}`);
    };
    await cli(['pull', '-q', image.reference]);
    await cli([
      'run',
      '-d',
      '--name',
      NAME,
      image.reference,
      'sh',
      '-c',
      'trap "exit 0" TERM; sleep 600 & wait',
    ]);
    const page = await context.newPage();
    await page.goto(`${web.baseURL}/containers`);
    const state = page.getByTestId(`container-row-${NAME}`).getByTestId('container-state');
    await state.filter({ hasText: 'running' }).waitFor({ timeout: 30_000 });
    await sleep(1_000);
    for (let i = 0; i < TOGGLES; i++) {
      stop.push(await clickUntil(page, 'stop', 'exited'));
      await sleep(300);
      start.push(await clickUntil(page, 'start', 'running'));
      await sleep(300);
    }
    await page.close();
  } finally {
    await runCli(['-H', agent.host, 'rm', '-f', NAME]);
    await registry?.stop();
  }
  return { stop, start };
}

interface LoadWindow {
  __load: {
    ready: number | null;
    /** Every row counted and CPU shown by the live list (hydrated, the stream's snapshot applied). */
    live: number | null;
    firstMessage: number | null;
    longTasks: { start: number; duration: number }[];
  };
}

/**
 * In the page before its scripts: when the fleet stream first answers, when every row is counted with
 * CPU shown (`ready`: from the server's HTML on a build that renders the first screen there, else
 * from the live list), and when the live list has them (`live`: the count carries `data-live` once
 * the stream's snapshot is applied; a build without it has only the live list).
 */
function loadProbe(total: number): void {
  const state: LoadWindow['__load'] = { ready: null, live: null, firstMessage: null, longTasks: [] };
  (window as unknown as LoadWindow).__load = state;
  const NativeEventSource = window.EventSource;
  window.EventSource = class extends NativeEventSource {
    constructor(url: string | URL, init?: EventSourceInit) {
      super(url, init);
      // The live list's stream: the whole-list watch, or (since fleetview) the window.
      if (!/containers\.fleet\.(watch|window)/.test(String(url))) return;
      this.addEventListener('message', () => {
        state.firstMessage ??= performance.now();
      });
    }
  };
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries())
      state.longTasks.push({ start: entry.startTime, duration: entry.duration });
  }).observe({ type: 'longtask', buffered: true });
  let fromServer = false;
  const observer = new MutationObserver(() => {
    const counter = document.querySelector('[data-testid="containers-count"]');
    const count = Number(counter?.getAttribute('data-total'));
    const cpu = [...document.querySelectorAll('[data-testid="container-cpu"]')].some((el) =>
      el.textContent?.includes('%'),
    );
    if (!(count >= total && cpu)) return;
    if (state.ready === null) {
      state.ready = performance.now();
      fromServer = state.firstMessage === null;
    }
    if (counter?.hasAttribute('data-live') || (!fromServer && state.firstMessage !== null)) {
      state.live = performance.now();
      observer.disconnect();
    }
  });
  observer.observe(document, { childList: true, subtree: true, characterData: true, attributes: true });
}

interface Load {
  ready: number;
  live: number;
  firstMessage: number;
  longTaskMs: number;
  navigationToDcl: number;
  firstByte: number;
  fcp: number;
}

/** One cold tab on /containers, timed by the page's clock until the live list has every row. */
async function loadList(context: BrowserContext, baseURL: string, total: number): Promise<Load> {
  const page = await context.newPage();
  try {
    await page.addInitScript(loadProbe, total);
    await page.goto(`${baseURL}/containers`, { waitUntil: 'commit' });
    await page.waitForFunction(() => (window as unknown as LoadWindow).__load.live !== null, null, {
      timeout: 60_000,
      polling: 100,
    });
    return await page.evaluate(() => {
      const load = (window as unknown as LoadWindow).__load;
      const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined;
      return {
        ready: load.ready as number,
        live: load.live as number,
        firstMessage: load.firstMessage ?? Number.NaN,
        longTaskMs: load.longTasks
          .filter((t) => t.start <= (load.live as number))
          .reduce((sum, t) => sum + t.duration, 0),
        navigationToDcl: nav?.domContentLoadedEventEnd ?? Number.NaN,
        firstByte: nav?.responseStart ?? Number.NaN,
        fcp: performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? Number.NaN,
      };
    });
  } finally {
    await page.close();
  }
}

/** Another build's dashboard (BENCH_BASELINE_WEB) on the same simulated fleet, loaded in turn with this one. */
interface Build {
  label: string;
  context: BrowserContext;
  baseURL: string;
  loads: Load[];
}

async function fleetList(context: BrowserContext, web: WebServer, baselines: Build[]) {
  const sim: Simulator = await startSimulator({ hosts: HOSTS, containers: CONTAINERS, eventEveryMs: 10_000 });
  try {
    const names = sim.sockets.map((_, i) => `sim-${String(i + 1).padStart(3, '0')}`);
    const builds: Build[] = [{ label: 'this build', context, baseURL: web.baseURL, loads: [] }, ...baselines];
    for (const build of builds) {
      for (const [i, socketPath] of sim.sockets.entries()) {
        await trpcMutation(build.context, build.baseURL, 'hosts.create', {
          name: names[i],
          transport: 'unix',
          socketPath,
        });
      }
      await waitForOnline(build.context, build.baseURL, names);
    }
    const total = HOSTS * CONTAINERS;
    // The first load of each warms the server's bundles and the browser's cache; then in turn.
    for (const build of builds) await loadList(build.context, build.baseURL, total);
    await sleep(2_000);
    for (let i = 0; i < LOADS; i++) {
      for (const build of builds) {
        build.loads.push(await loadList(build.context, build.baseURL, total));
        await sleep(2_000);
      }
    }
    const loads = builds[0]?.loads ?? [];

    const page = await context.newPage();
    await page.goto(`${web.baseURL}/containers`);
    await page
      .getByTestId('containers-count')
      .filter({ hasText: `of ${total}` })
      .waitFor({ timeout: 60_000 });
    await sleep(3_000);
    const cdp = await context.newCDPSession(page);
    await cdp.send('Performance.enable');
    const taskSeconds = async () =>
      (await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === 'TaskDuration')?.value ??
      Number.NaN;
    // Sorted by CPU, as someone hunting the busiest container would look at it.
    await page.getByRole('button', { name: 'CPU' }).click();
    const before = await taskSeconds();
    const open = await processOver([webServerPid(web.dataDir), sim.child.pid as number], OPEN_WINDOW_MS);
    const after = await taskSeconds();
    const sortedBusy = ((after - before) / (OPEN_WINDOW_MS / 1000)) * 100;
    await page.getByRole('button', { name: 'CPU' }).click(); // ascending
    await page.getByRole('button', { name: 'CPU' }).click(); // unsorted
    const before2 = await taskSeconds();
    await sleep(OPEN_WINDOW_MS / 2);
    const after2 = await taskSeconds();
    const unsortedBusy = ((after2 - before2) / (OPEN_WINDOW_MS / 2000)) * 100;
    const domRows = await page.locator('tbody tr[data-testid^="container-row-"]').count();
    await page.close();
    const quiet = await processOver([webServerPid(web.dataDir)], 10_000);
    return {
      loads,
      builds,
      open: open as [ProcessWindow, ProcessWindow],
      quiet: quiet[0] as ProcessWindow,
      sortedBusy,
      unsortedBusy,
      domRows,
    };
  } finally {
    await sim.stop();
  }
}

export async function benchContainers(table: Table): Promise<void> {
  let agent: AgentProcess | undefined;
  let web: WebServer | undefined;
  let browser: Browser | undefined;
  const baselineServers: WebServer[] = [];
  try {
    agent = await startAgent();
    web = await startWebServer({ localAgentSocket: agent.socketPath });
    browser = await chromium.launch(CHROMIUM_LAUNCH_OPTIONS);
    const context = await browser.newContext();
    await context.addInitScript({ content: 'globalThis.__name = (fn) => fn;' });
    await logIn(context, web);

    const baselines: Build[] = [];
    for (const buildRoot of (process.env.BENCH_BASELINE_WEB ?? '').split(',').filter(Boolean)) {
      const server = await startWebServer({ localAgentSocket: agent.socketPath, buildRoot });
      baselineServers.push(server);
      const serverContext = await browser.newContext();
      await serverContext.addInitScript({ content: 'globalThis.__name = (fn) => fn;' });
      await logIn(serverContext, server);
      baselines.push({ label: buildRoot, context: serverContext, baseURL: server.baseURL, loads: [] });
    }

    const clicks = process.env.BENCH_SKIP_CLICKS ? null : await clickToRow(context, web, agent);
    const fleet = await fleetList(context, web, baselines);

    const ms = (value: number) => `${value.toFixed(0)} ms`;
    const spread = (values: number[]) =>
      `${ms(percentile(values, 50))} / ${ms(percentile(values, 95))} / ${ms(Math.max(...values))}`;
    // A call still answering when the row changed (the row follows the agent's event) has no timing yet.
    const callSpread = (timings: ClickTiming[]) => {
      const answered = timings.map((c) => c.call).filter((value) => !Number.isNaN(value));
      if (answered.length === 0)
        return `none answered before the row changed (${timings.length} of ${timings.length})`;
      return `${ms(percentile(answered, 50))} / ${ms(percentile(answered, 95))} (${answered.length} answered before the row changed)`;
    };
    const [server, sim] = fleet.open;
    const p50 = (loads: Load[], key: keyof Load) =>
      percentile(
        loads.map((l) => l[key]).filter((v) => !Number.isNaN(v)),
        50,
      );
    const loadRows = (label: string, loads: Load[]): [string, string][] => [
      [
        `${label}: /containers navigation → every row counted and CPU shown on screen, p50 / max (${loads.length} loads)`,
        `${ms(p50(loads, 'ready'))} / ${ms(Math.max(...loads.map((l) => l.ready)))}`,
      ],
      [
        `${label}: … → the live list has them (hydrated, the stream's snapshot applied), p50 / max`,
        `${ms(p50(loads, 'live'))} / ${ms(Math.max(...loads.map((l) => l.live)))}`,
      ],
      [
        `${label}: … first byte / FCP / DOMContentLoaded / first message of the live stream, p50`,
        `${(['firstByte', 'fcp', 'navigationToDcl', 'firstMessage'] as const).map((key) => p50(loads, key).toFixed(0)).join(' / ')} ms`,
      ],
      [`${label}: … long tasks until live, total p50`, ms(p50(loads, 'longTaskMs'))],
    ];
    const clickRows: [string, string][] = clicks
      ? [
          [
            `click stop → row shows "exited", p50 / p95 / max (${TOGGLES} clicks, real agent)`,
            spread(clicks.stop.map((c) => c.row)),
          ],
          ['… of which the bulk call (web → agent → web), p50 / p95', callSpread(clicks.stop)],
          [`click start → row shows "running", p50 / p95 / max`, spread(clicks.start.map((c) => c.row))],
          ['… of which the bulk call, p50 / p95', callSpread(clicks.start)],
        ]
      : [];
    table('containers', [
      ...clickRows,
      [
        'simulated fleet',
        `${HOSTS} hosts × ${CONTAINERS} containers (${HOSTS * CONTAINERS}; 75 % running, a third of those busy), stats at 1 Hz, one container event per host every 10 s`,
      ],
      ...fleet.builds.flatMap((build) => loadRows(build.label, build.loads)),
      [
        `web server CPU with /containers open (sorted by CPU), ${OPEN_WINDOW_MS / 1000} s`,
        `${server.cpuPercent.toFixed(1)} % of a core (RSS ${(server.rssMedianKiB / 1024).toFixed(0)} MiB)`,
      ],
      [
        'web server CPU with nothing open (streams stopped)',
        `${fleet.quiet.cpuPercent.toFixed(1)} % of a core`,
      ],
      ['simulator CPU (not the product; for context)', `${sim.cpuPercent.toFixed(1)} % of a core`],
      ['browser main thread busy, sorted by CPU (re-sorts every second)', `${fleet.sortedBusy.toFixed(1)} %`],
      ['browser main thread busy, unsorted', `${fleet.unsortedBusy.toFixed(1)} %`],
      ['table rows in the DOM (virtualised)', String(fleet.domRows)],
    ]);
  } finally {
    await browser?.close();
    await web?.stop();
    for (const server of baselineServers) await server.stop();
    await agent?.stop();
  }
}
