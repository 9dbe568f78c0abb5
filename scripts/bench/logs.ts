/**
 * `npm run bench -- logs`: the Logs tab on a container with 1,000,000 log lines (measured, never
 * asserted). A real agent and the built dashboard; busybox writes `line 1` … `line 1000000` and
 * exits (the log spans the default 5 rotated files of 20 MB). In Chromium:
 * - first screen: navigation to the tab until the last line shows (and the agent's page call alone);
 * - search to the far match: `^line 1$` (regex) with Shift+Enter from the end, i.e. the whole log
 *   scanned backwards, until the match shows highlighted: on the page's clock (a MutationObserver
 *   from the key press) and as a Playwright wait sees it (which adds its polling and round trips),
 *   with the calls the page made meanwhile; and the agent's search call alone, and a full count;
 * - tab memory (CDP Performance.getMetrics: JS heap used, DOM nodes) after the first screen and
 *   after paging back 100 pages (50,000 lines) by scrolling up.
 * With BENCH_BASELINE_WEB=<dir>[,<dir>…] (copies of other builds: <dir>/apps/web/{dist,.next}), the
 * first screen is also timed on those builds, in turn with this one in the same run against the same
 * agent and container (A/B: only same-run ratios mean something on a shared machine).
 */
import { type BrowserContext, chromium, type Page } from '@playwright/test';
import { type AgentConnection, connectAgentOnce } from '@stevedore/agent-api';
import { type AgentProcess, startAgent } from '../../apps/agent/test/harness/agent-process';
import { runCli } from '../../apps/agent/test/harness/cli-process';
import { CHROMIUM_LAUNCH_OPTIONS } from '../../e2e/chromium';
import { startWebServer, type WebServer } from '../../e2e/harness/web-server';
import { percentile, sleep } from './web/measure';
import { logIn } from './web/session';

type Table = (name: string, rows: [string, string][]) => void;

interface TestRegistry {
  host: string;
  stop(): Promise<void>;
}
/**
 * The test registry and busybox image, loaded at run time: the harness's registry module does not
 * type-check under this project's DOM library (which web.ts brings in), so it is not imported here.
 */
async function registryWithBusybox(): Promise<{ registry: TestRegistry; reference: string }> {
  const registryModule = '../../apps/agent/test/harness/registry.ts';
  const imagesModule = '../../apps/agent/test/harness/test-images.ts';
  const { startRegistry } = (await import(registryModule)) as { startRegistry(): Promise<TestRegistry> };
  const { pushBusybox } = (await import(imagesModule)) as {
    pushBusybox(registry: TestRegistry): Promise<{ reference: string }>;
  };
  const registry = await startRegistry();
  return { registry, reference: (await pushBusybox(registry)).reference };
}

const LINES = 1_000_000;
const RUNS = 5;
const AB_RUNS = 8;
const MiB = 1024 * 1024;

interface FirstScreen {
  /**
   * Navigation → the frame that shows the log's last line, by the page's own clock (a mutation
   * observer installed before the document loads, then the next animation frame): unlike a
   * Playwright wait, not delayed by the main thread being busy with scripts.
   */
  lastLine: number;
  /** Navigation → following (the page hydrated and its subscription started). */
  following: number;
  /** The browser's first contentful paint. */
  fcp: number;
  /** The document: first byte, last byte, DOMContentLoaded (navigation timing). */
  firstByte: number;
  documentEnd: number;
  dcl: number;
}

/** In the page, once the marks are in: the first screen's split by the page's own clock. */
function readFirstScreen(): FirstScreen {
  const marks = window as unknown as { lastLineFrameAt: number; followingAt: number };
  const [nav] = performance.getEntriesByType('navigation') as PerformanceNavigationTiming[];
  return {
    lastLine: marks.lastLineFrameAt,
    following: marks.followingAt,
    fcp: performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? Number.NaN,
    firstByte: nav?.responseStart ?? Number.NaN,
    documentEnd: nav?.responseEnd ?? Number.NaN,
    dcl: nav?.domContentLoadedEventEnd ?? Number.NaN,
  };
}

async function untilFirstScreen(page: Page): Promise<void> {
  await page.waitForFunction(() => {
    const marks = window as unknown as { lastLineFrameAt?: number; followingAt?: number };
    return Number.isFinite(marks.lastLineFrameAt) && marks.followingAt !== undefined;
  });
}

/** Installed before the document loads: notes (page clock) when the last line is painted and following starts. */
function watchFirstScreen(lastLine: string): void {
  const marks = window as unknown as { lastLineFrameAt?: number; followingAt?: number };
  const observer = new MutationObserver(() => {
    if (
      marks.lastLineFrameAt === undefined &&
      [...document.querySelectorAll('[data-testid="log-line"]')].some((line) => line.textContent === lastLine)
    ) {
      marks.lastLineFrameAt = Number.POSITIVE_INFINITY;
      requestAnimationFrame((frameAt) => {
        marks.lastLineFrameAt = frameAt;
      });
    }
    if (
      marks.followingAt === undefined &&
      document.querySelector('[data-testid="log-follow-state"]')?.textContent === '● following'
    )
      marks.followingAt = performance.now();
  });
  observer.observe(document, { childList: true, subtree: true, characterData: true });
}

async function openLogsTab(context: BrowserContext, url: string): Promise<FirstScreen> {
  const page = await context.newPage();
  try {
    await page.addInitScript(watchFirstScreen, `line ${LINES}`);
    await page.goto(url, { waitUntil: 'commit' });
    await untilFirstScreen(page);
    return await page.evaluate(readFirstScreen);
  } finally {
    await page.close();
  }
}

const ms = (values: number[]) =>
  `p50 ${percentile(values, 50).toFixed(0)} ms, max ${Math.max(...values).toFixed(0)} ms (${values.length} runs)`;

export async function benchLogs(table: Table): Promise<void> {
  let registry: TestRegistry | undefined;
  let agent: AgentProcess | undefined;
  let web: WebServer | undefined;
  const baselines: WebServer[] = [];
  let connection: AgentConnection | undefined;
  let browser: Awaited<ReturnType<typeof chromium.launch>> | undefined;
  let id: string | undefined;
  try {
    const started = await registryWithBusybox();
    registry = started.registry;
    const image = { reference: started.reference };
    agent = await startAgent();
    const cli = (...args: string[]) => runCli(['-H', (agent as AgentProcess).host, ...args]);
    const pulled = await cli('pull', '-q', image.reference);
    if (pulled.code !== 0) throw new Error(`pull failed: ${pulled.stderr}`);
    const run = await cli('run', '-d', image.reference, 'sh', '-c', `seq 1 ${LINES} | sed 's/^/line /'`);
    if (run.code !== 0) throw new Error(`run failed: ${run.stderr}`);
    id = run.stdout.trim();
    await cli('wait', id);
    connection = await connectAgentOnce({ host: agent.host });
    const logs = connection.client.containers;
    const total = await logs.logMatchCount.query({
      container: id,
      query: { text: 'line', regex: false, caseSensitive: true },
      cap: 100_000,
    });

    const pageMs: number[] = [];
    const searchMs: number[] = [];
    const searchCalls: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      let t = performance.now();
      await logs.logPage.query({ container: id, from: 'end', direction: 'backward', limit: 1000 });
      pageMs.push(performance.now() - t);
      t = performance.now();
      // As the viewer does: a call that ran out of its time budget says where to go on.
      let from: Parameters<typeof logs.logSearch.query>[0]['from'] = 'end';
      let found: Awaited<ReturnType<typeof logs.logSearch.query>>;
      let calls = 0;
      do {
        calls++;
        found = await logs.logSearch.query({
          container: id,
          query: { text: '^line 1$', regex: true, caseSensitive: true },
          from,
          direction: 'previous',
        });
        from = found.resumeFrom ?? from;
      } while (!found.match && found.resumeFrom);
      searchMs.push(performance.now() - t);
      searchCalls.push(calls);
      if (found.match?.text !== 'line 1') throw new Error(`search found ${JSON.stringify(found.match)}`);
    }
    let t = performance.now();
    const counted = await logs.logMatchCount.query({
      container: id,
      query: { text: '7$', regex: true, caseSensitive: true },
      cap: 100_000,
    });
    const countMs = performance.now() - t;

    web = await startWebServer({ localAgentSocket: agent.socketPath });
    browser = await chromium.launch(CHROMIUM_LAUNCH_OPTIONS);
    const context = await browser.newContext();
    await logIn(context, web);
    const hosts = await context.request.get(`${web.baseURL}/api/trpc/hosts.list`);
    const hostId = ((await hosts.json()) as { result: { data: Array<{ id: string }> } }).result.data[0]?.id;
    const url = `${web.baseURL}/hosts/${hostId}/containers/${id}/logs`;

    const baselineRoots = (process.env.BENCH_BASELINE_WEB ?? '').split(',').filter(Boolean);
    if (baselineRoots.length > 0) {
      const builds: { label: string; context: BrowserContext; url: string; runs: FirstScreen[] }[] = [
        { label: 'this build', context, url, runs: [] },
      ];
      for (const buildRoot of baselineRoots) {
        const server = await startWebServer({ localAgentSocket: agent.socketPath, buildRoot });
        baselines.push(server);
        const serverContext = await browser.newContext();
        await logIn(serverContext, server);
        const listed = await serverContext.request.get(`${server.baseURL}/api/trpc/hosts.list`);
        const serverHostId = ((await listed.json()) as { result: { data: Array<{ id: string }> } }).result
          .data[0]?.id;
        builds.push({
          label: buildRoot,
          context: serverContext,
          url: `${server.baseURL}/hosts/${serverHostId}/containers/${id}/logs`,
          runs: [],
        });
      }
      // One warm-up each (first compiles and caches), then in turn.
      for (const build of builds) await openLogsTab(build.context, build.url);
      for (let i = 0; i < AB_RUNS; i++)
        for (const build of builds) build.runs.push(await openLogsTab(build.context, build.url));
      const abRows: [string, string][] = builds.map(({ label, runs }) => {
        const of = (key: keyof FirstScreen) => runs.map((run) => run[key]).filter((v) => !Number.isNaN(v));
        return [
          `${label}: navigation → first frame with the last line in the DOM / following / first contentful paint`,
          `${ms(of('lastLine'))} / ${ms(of('following'))} / p50 ${percentile(of('fcp'), 50).toFixed(0)} ms`,
        ];
      });
      for (const build of builds.slice(1)) await build.context.close();
      // Printed at once: the search and memory parts below take long on a loaded machine.
      table('logs: first screen, this build and the baseline builds (in turn, same run)', abRows);
    }

    const firstScreenMs: number[] = [];
    const firstScreens: FirstScreen[] = [];
    const farSearchMs: number[] = [];
    const searchCallsSeen: string[] = [];
    const farSearchPageMs: number[] = [];
    let memory: Record<string, number> = {};
    let memoryAfter: Record<string, number> = {};
    for (let i = 0; i < RUNS; i++) {
      const page = await context.newPage();
      await page.addInitScript(watchFirstScreen, `line ${LINES}`);
      const cdp = await context.newCDPSession(page);
      await cdp.send('Performance.enable');
      t = performance.now();
      await page.goto(url, { waitUntil: 'commit' });
      await page
        .getByTestId('log-line')
        .filter({ hasText: /^line 1000000$/ })
        .first()
        .waitFor();
      firstScreenMs.push(performance.now() - t);
      await untilFirstScreen(page);
      firstScreens.push(await page.evaluate(readFirstScreen));
      // The server-rendered first screen gives way to the live view once it shows the same end.
      await page.getByTestId('log-first-screen').waitFor({ state: 'detached' });
      await sleep(500);
      const metrics = async () => {
        await cdp.send('HeapProfiler.collectGarbage');
        const { metrics: list } = await cdp.send('Performance.getMetrics');
        return Object.fromEntries(list.map((m) => [m.name, m.value]));
      };
      if (i === 0) memory = await metrics();

      const search = page.getByTestId('log-search');
      await page.getByTitle('Regular expression').check();
      await search.fill('^line 1$');
      const pressedAt = await page.evaluate(() => {
        const found = { at: 0 };
        (window as unknown as { __found: typeof found }).__found = found;
        const observer = new MutationObserver(() => {
          if (document.querySelector('[data-current="true"] [data-testid="log-match"]')) {
            found.at = performance.now();
            observer.disconnect();
          }
        });
        observer.observe(document, { childList: true, subtree: true, attributes: true });
        return performance.now();
      });
      t = performance.now();
      await search.press('Shift+Enter');
      await page.locator('[data-current="true"]').getByTestId('log-match').waitFor({ timeout: 60_000 });
      farSearchMs.push(performance.now() - t);
      const seen = await page.evaluate(
        (since) => ({
          highlighted: (window as unknown as { __found: { at: number } }).__found.at - since,
          calls: performance
            .getEntriesByType('resource')
            .filter((entry) => entry.startTime >= since && entry.name.includes('containers.logs.'))
            .map((entry) => {
              const procedure = /containers\.logs\.(\w+)/.exec(entry.name)?.[1] ?? '?';
              const resource = entry as PerformanceResourceTiming;
              return `${procedure} ${(entry.startTime - since).toFixed(0)}→${(resource.responseEnd - since).toFixed(0)}`;
            })
            .join(', '),
        }),
        pressedAt,
      );
      farSearchPageMs.push(seen.highlighted);
      searchCallsSeen.push(`${seen.calls}; highlighted at ${seen.highlighted.toFixed(0)}`);

      if (i === 0) {
        // Back to the end, then 100 pages up by scrolling.
        await search.press('Escape');
        await page.getByTestId('log-follow').click();
        await page
          .getByTestId('log-line')
          .filter({ hasText: /^line 1000000$/ })
          .waitFor();
        const scroller = page.getByTestId('log-scroll');
        const target = LINES - 50_000;
        for (let round = 0; round < 2000; round++) {
          await scroller.hover();
          await page.mouse.wheel(0, -1_000_000);
          await sleep(50);
          const first = await page.getByTestId('log-line').first().textContent();
          if (Number(first?.replace('line ', '')) <= target) break;
        }
        memoryAfter = await metrics();
      }
      await page.close();
    }
    const heap = (m: Record<string, number>) =>
      `JS heap used ${((m.JSHeapUsedSize ?? 0) / MiB).toFixed(1)} MiB (total ${((m.JSHeapTotalSize ?? 0) / MiB).toFixed(1)} MiB), ${m.Nodes ?? 0} DOM nodes`;

    table(`logs: ${LINES.toLocaleString('en')} lines`, [
      ['lines in the log (count of "line")', `${total.count}${total.complete ? '' : '+'}`],
      ['agent: last 1000 lines (logPage backward from the end)', ms(pageMs)],
      [
        'agent: search ^line 1$ from the end (whole log backwards)',
        `${ms(searchMs)}, ${Math.max(...searchCalls)} calls`,
      ],
      ['agent: count 7$ (regex, whole log)', `${countMs.toFixed(0)} ms → ${counted.count}`],
      // What the user sees: the frame that paints the last line, by the page's clock. A Playwright
      // wait runs its check in the page, behind the scripts' evaluation and hydration: later.
      [
        'browser: navigation → first frame with the last line in the DOM (page clock; on screen no earlier than FCP)',
        ms(firstScreens.map((f) => f.lastLine)),
      ],
      [
        '… split: first byte / document end / FCP / DOMContentLoaded / following (hydrated), p50',
        `${(['firstByte', 'documentEnd', 'fcp', 'dcl', 'following'] as const)
          .map((key) =>
            percentile(
              firstScreens.map((f) => f[key]).filter((v) => !Number.isNaN(v)),
              50,
            ).toFixed(0),
          )
          .join(' / ')} ms`,
      ],
      ['browser: navigation → last line found by a Playwright wait (Node clock)', ms(firstScreenMs)],
      [
        'browser: Shift+Enter → line 1 highlighted (page clock: key press → the mark in the DOM)',
        ms(farSearchPageMs),
      ],
      ['browser: … the same seen by a Playwright wait (Node clock)', ms(farSearchMs)],
      [
        '… its calls (ms from the key press, start→end), the run with the median page-clock time',
        searchCallsSeen[
          farSearchPageMs.indexOf(
            [...farSearchPageMs].sort((a, b) => a - b)[Math.floor(farSearchPageMs.length / 2)] as number,
          )
        ] ?? '',
      ],
      ['tab memory after the first screen', heap(memory)],
      ['tab memory after paging back 50,000 lines', heap(memoryAfter)],
    ]);
  } finally {
    if (id && agent) await runCli(['-H', agent.host, 'rm', '-f', id]);
    await browser?.close();
    await connection?.close();
    await web?.stop();
    for (const server of baselines) await server.stop();
    await agent?.stop();
    await registry?.stop();
  }
}
