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
    firstMessage: number | null;
    longTasks: { start: number; duration: number }[];
  };
}

/** In the page before its scripts: when the fleet stream first answers, and when every row is in with CPU shown. */
function loadProbe(total: number): void {
  const state: LoadWindow['__load'] = { ready: null, firstMessage: null, longTasks: [] };
  (window as unknown as LoadWindow).__load = state;
  const NativeEventSource = window.EventSource;
  window.EventSource = class extends NativeEventSource {
    constructor(url: string | URL, init?: EventSourceInit) {
      super(url, init);
      if (!String(url).includes('containers.fleet.watch')) return;
      this.addEventListener('message', () => {
        state.firstMessage ??= performance.now();
      });
    }
  };
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries())
      state.longTasks.push({ start: entry.startTime, duration: entry.duration });
  }).observe({ type: 'longtask', buffered: true });
  const observer = new MutationObserver(() => {
    const count = Number(
      document.querySelector('[data-testid="containers-count"]')?.getAttribute('data-total'),
    );
    const cpu = [...document.querySelectorAll('[data-testid="container-cpu"]')].some((el) =>
      el.textContent?.includes('%'),
    );
    if (count >= total && cpu) {
      state.ready = performance.now();
      observer.disconnect();
    }
  });
  observer.observe(document, { childList: true, subtree: true, characterData: true, attributes: true });
}

async function fleetList(context: BrowserContext, web: WebServer) {
  const sim: Simulator = await startSimulator({ hosts: HOSTS, containers: CONTAINERS, eventEveryMs: 10_000 });
  try {
    const names = sim.sockets.map((_, i) => `sim-${String(i + 1).padStart(3, '0')}`);
    for (const [i, socketPath] of sim.sockets.entries()) {
      await trpcMutation(context, web.baseURL, 'hosts.create', {
        name: names[i],
        transport: 'unix',
        socketPath,
      });
    }
    await waitForOnline(context, web.baseURL, names);
    const total = HOSTS * CONTAINERS;
    const loads: { ready: number; firstMessage: number; longTaskMs: number; navigationToDcl: number }[] = [];
    for (let i = 0; i <= LOADS; i++) {
      const page = await context.newPage();
      await page.addInitScript(loadProbe, total);
      await page.goto(`${web.baseURL}/containers`, { waitUntil: 'commit' });
      await page.waitForFunction(() => (window as unknown as LoadWindow).__load.ready !== null, null, {
        timeout: 60_000,
        polling: 100,
      });
      const probe = await page.evaluate(() => {
        const load = (window as unknown as LoadWindow).__load;
        const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined;
        return {
          ready: load.ready as number,
          firstMessage: load.firstMessage ?? Number.NaN,
          longTaskMs: load.longTasks
            .filter((t) => t.start <= (load.ready as number))
            .reduce((sum, t) => sum + t.duration, 0),
          navigationToDcl: nav?.domContentLoadedEventEnd ?? Number.NaN,
        };
      });
      if (i > 0) loads.push(probe); // the first load warms the server's bundles and the browser's cache
      await page.close();
      await sleep(2_000);
    }

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
  try {
    agent = await startAgent();
    web = await startWebServer({ localAgentSocket: agent.socketPath });
    browser = await chromium.launch(CHROMIUM_LAUNCH_OPTIONS);
    const context = await browser.newContext();
    await context.addInitScript({ content: 'globalThis.__name = (fn) => fn;' });
    await logIn(context, web);

    const clicks = await clickToRow(context, web, agent);
    const fleet = await fleetList(context, web);

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
    table('containers', [
      [
        `click stop → row shows "exited", p50 / p95 / max (${TOGGLES} clicks, real agent)`,
        spread(clicks.stop.map((c) => c.row)),
      ],
      ['… of which the bulk call (web → agent → web), p50 / p95', callSpread(clicks.stop)],
      [`click start → row shows "running", p50 / p95 / max`, spread(clicks.start.map((c) => c.row))],
      ['… of which the bulk call, p50 / p95', callSpread(clicks.start)],
      [
        'simulated fleet',
        `${HOSTS} hosts × ${CONTAINERS} containers (${HOSTS * CONTAINERS}; 75 % running, a third of those busy), stats at 1 Hz, one container event per host every 10 s`,
      ],
      [
        `/containers: navigation → every row counted and CPU shown, p50 / max (${LOADS} loads)`,
        `${ms(
          percentile(
            fleet.loads.map((l) => l.ready),
            50,
          ),
        )} / ${ms(Math.max(...fleet.loads.map((l) => l.ready)))}`,
      ],
      [
        '… navigation → DOMContentLoaded, p50',
        ms(
          percentile(
            fleet.loads.map((l) => l.navigationToDcl),
            50,
          ),
        ),
      ],
      [
        '… navigation → first message of the live stream, p50',
        ms(
          percentile(
            fleet.loads.map((l) => l.firstMessage),
            50,
          ),
        ),
      ],
      [
        '… long tasks until then, total p50',
        ms(
          percentile(
            fleet.loads.map((l) => l.longTaskMs),
            50,
          ),
        ),
      ],
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
    await agent?.stop();
  }
}
