/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * `npm run bench -- limits-click`: the Limits tab in Chromium against a real agent, measured (never
 * asserted). A running busybox container; its memory limit set in the form and applied with the
 * button, 20 times alternating two values. Per click: click → the new value in the container's own
 * cgroup file on this host (the file polled every 2 ms by this process), click → "Applied — read
 * from the kernel" with the new value on the page, and the update call's own round trip.
 *
 * The click time is the page's clock (performance.timeOrigin + now), the file time this process's:
 * both are the system's wall clock with sub-millisecond resolution.
 */
import { readFileSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from '@playwright/test';
import { chromium } from '@playwright/test';
import type { ContainerInspect } from '@stevedore/shared';
import { type AgentProcess, startAgent } from '../../../apps/agent/test/harness/agent-process';
import { runCli } from '../../../apps/agent/test/harness/cli-process';
import { CHROMIUM_LAUNCH_OPTIONS } from '../../../e2e/chromium';
import { startWebServer, type WebServer } from '../../../e2e/harness/web-server';
import { nowMs, percentile, sleep } from './measure';
import { logIn, waitForOnline } from './session';

type Table = (name: string, rows: [string, string][]) => void;

const CLICKS = 20;
const WARM_UP = 2;
const NAME = 'bench-limits-click';
const MiB = 1024 * 1024;
const VALUES = [96, 64] as const;
const POLL_MS = 2;
const TIMEOUT_MS = 15_000;

interface PageTiming {
  /** Wall-clock ms of the click. */
  clickAt: number;
  /** Click → the applied section shows the new value read back from the kernel. */
  applied: number;
  /** The update call's round trip (resource timing), NaN if the page did not see one. */
  call: number;
}

interface ClickTiming extends PageTiming {
  /** Click → the new value in the cgroup file. */
  inFile: number;
}

interface TestRegistry {
  stop(): Promise<void>;
}
/** The test registry and busybox image by a path TypeScript does not follow (see containers-list.ts). */
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

/** The container's memory limit file: its init process's memory cgroup (v1), or its cgroup's memory.max (v2). */
function memoryLimitFile(pid: number): string {
  const lines = readFileSync(`/proc/${pid}/cgroup`, 'utf8').trim().split('\n');
  const v1 = lines
    .map((line) => line.split(':'))
    .find(([, controllers]) => controllers?.split(',').includes('memory'));
  if (v1?.[2]) return `/sys/fs/cgroup/memory${v1[2]}/memory.limit_in_bytes`;
  const v2 = lines.find((line) => line.startsWith('0::'))?.slice(3);
  if (!v2) throw new Error(`no memory cgroup for pid ${pid}: ${lines.join(' | ')}`);
  return `/sys/fs/cgroup${v2}/memory.max`;
}

/** Resolves with the wall-clock time at which `file` first holds `want` (polled every POLL_MS). */
async function whenFileHolds(file: string, want: string, stop: { done: boolean }): Promise<number> {
  const deadline = Date.now() + TIMEOUT_MS;
  for (;;) {
    if (readFileSync(file, 'utf8').trim() === want) return nowMs();
    if (stop.done) throw new Error(`${file} never held ${want}`);
    if (Date.now() > deadline) throw new Error(`${file} did not hold ${want} within ${TIMEOUT_MS} ms`);
    await sleep(POLL_MS);
  }
}

/** In the page: clicks Apply and resolves once the applied readings show `bytes` for Memory. */
function clickApply(page: Page, bytes: number): Promise<PageTiming> {
  return page.evaluate(
    ({ bytes, timeoutMs }) =>
      new Promise<PageTiming>((resolve, reject) => {
        const button = document.querySelector<HTMLButtonElement>(
          'form[aria-label="Limits"] button[type="submit"]',
        );
        if (!button || button.disabled) {
          reject(new Error('no enabled Apply button'));
          return;
        }
        const shown = () => {
          const applied = document.querySelector('[data-testid="applied"]');
          const raw = applied?.querySelector('tr[data-field="Memory"] [data-testid="reading-raw"]');
          return (
            applied?.textContent?.includes('Applied — read from the kernel') === true &&
            raw?.textContent?.trim() === String(bytes)
          );
        };
        performance.clearResourceTimings();
        const timeout = setTimeout(() => {
          observer.disconnect();
          reject(new Error(`"Applied" with ${bytes} not shown within ${timeoutMs} ms`));
        }, timeoutMs);
        const start = performance.now();
        const observer = new MutationObserver(() => {
          if (!shown()) return;
          const applied = performance.now() - start;
          clearTimeout(timeout);
          observer.disconnect();
          const call = performance
            .getEntriesByType('resource')
            .find((entry) => entry.name.includes('containers.limits.update')) as
            | PerformanceResourceTiming
            | undefined;
          resolve({
            clickAt: performance.timeOrigin + start,
            applied,
            call: call ? call.responseEnd - call.startTime : Number.NaN,
          });
        });
        observer.observe(document.body, { subtree: true, childList: true, characterData: true });
        button.click();
      }),
    { bytes, timeoutMs: TIMEOUT_MS },
  );
}

async function clicks(context: BrowserContext, web: WebServer, agent: AgentProcess): Promise<ClickTiming[]> {
  const { startRegistry, pushBusybox } = await testRegistry();
  let registry: TestRegistry | undefined;
  const cli = async (args: string[]) => {
    const result = await runCli(['-H', agent.host, ...args]);
    if (result.code !== 0) throw new Error(`stevedore ${args.join(' ')}: ${result.stderr}`);
    return result.stdout;
  };
  try {
    registry = await startRegistry();
    const image = await pushBusybox(registry);
    await cli(['pull', '-q', image.reference]);
    await cli([
      'run',
      '-d',
      '--name',
      NAME,
      '--network',
      'none',
      '-m',
      '64m',
      image.reference,
      'sleep',
      '3600',
    ]);
    const [inspect] = JSON.parse(await cli(['inspect', NAME])) as ContainerInspect[];
    if (!inspect?.State.Pid) throw new Error(`${NAME} has no process`);
    const file = memoryLimitFile(inspect.State.Pid);
    const hostId = (await waitForOnline(context, web.baseURL, ['local'])).get('local');

    const page = await context.newPage();
    await page.goto(`${web.baseURL}/hosts/${hostId}/containers/${NAME}/limits`);
    const memory = page.getByRole('form', { name: 'Limits' }).getByLabel('Memory limit', { exact: true });
    await memory.waitFor({ timeout: 30_000 });
    await page.getByTestId('current-readings').waitFor({ timeout: 30_000 });
    await sleep(1_000);
    const timings: ClickTiming[] = [];
    for (let i = 0; i < WARM_UP + CLICKS; i++) {
      const mib = VALUES[i % VALUES.length] as number;
      const bytes = mib * MiB;
      await memory.fill(`${mib}m`);
      const stop = { done: false };
      const [timing, fileAt] = await Promise.all([
        clickApply(page, bytes).finally(() => {
          stop.done = true;
        }),
        whenFileHolds(file, String(bytes), stop),
      ]);
      if (i >= WARM_UP) timings.push({ ...timing, inFile: fileAt - timing.clickAt });
      await sleep(300);
    }
    await page.close();
    return timings;
  } finally {
    await runCli(['-H', agent.host, 'rm', '-f', NAME]);
    await registry?.stop();
  }
}

const loadAverage = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' / ');

export async function benchLimitsClick(table: Table): Promise<void> {
  let agent: AgentProcess | undefined;
  let web: WebServer | undefined;
  let browser: Browser | undefined;
  const loadBefore = loadAverage();
  try {
    agent = await startAgent();
    web = await startWebServer({ localAgentSocket: agent.socketPath });
    browser = await chromium.launch(CHROMIUM_LAUNCH_OPTIONS);
    const context = await browser.newContext();
    await context.addInitScript({ content: 'globalThis.__name = (fn) => fn;' });
    await logIn(context, web);
    const timings = await clicks(context, web, agent);

    const ms = (value: number) => `${value.toFixed(0)} ms`;
    const spread = (values: number[]) =>
      `${ms(percentile(values, 50))} / ${ms(percentile(values, 95))} / ${ms(Math.max(...values))}`;
    const calls = timings.map((t) => t.call).filter((value) => !Number.isNaN(value));
    table('limits-click', [
      [
        `click Apply → new value in memory.limit_in_bytes, p50 / p95 / max (${CLICKS} clicks, file polled every ${POLL_MS} ms)`,
        spread(timings.map((t) => t.inFile)),
      ],
      [
        'click Apply → "Applied — read from the kernel" with the new value, p50 / p95 / max',
        spread(timings.map((t) => t.applied)),
      ],
      [
        '… of which the containers.limits.update call (browser → web → agent → web → browser), p50 / p95',
        calls.length > 0 ? `${ms(percentile(calls, 50))} / ${ms(percentile(calls, 95))}` : 'not seen',
      ],
      ['load average before / after (1, 5, 15 min)', `${loadBefore} → ${loadAverage()}`],
    ]);
  } finally {
    await browser?.close();
    await web?.stop();
    await agent?.stop();
  }
}
