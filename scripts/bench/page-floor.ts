/**
 * `npm run bench -- page-floor`: where a cold dashboard page's first second goes, as the floor of the
 * first-screen targets (measured, never asserted). A real agent and the built dashboard, one host;
 * each page opened in a new tab, 5 times:
 * - /login: a page with no data and no websocket (document + scripts + hydration);
 * - /hosts: the fleet page (its data over tRPC after hydration);
 * - /hosts/<id>: the host page (system information over tRPC).
 * Each row splits the load: document answered, DOMContentLoaded, load, the page's first tRPC request
 * (sent once the scripts have run and hydrated) and its answer, and the page's own marker.
 */
import { chromium, type Page } from '@playwright/test';
import { type AgentProcess, startAgent } from '../../apps/agent/test/harness/agent-process';
import { CHROMIUM_LAUNCH_OPTIONS } from '../../e2e/chromium';
import { startWebServer, type WebServer } from '../../e2e/harness/web-server';
import { percentile } from './web/measure';
import { logIn } from './web/session';

type Table = (name: string, rows: [string, string][]) => void;
const RUNS = 5;

interface Split {
  response: number;
  dcl: number;
  load: number;
  apiAsked: number;
  apiAnswered: number;
  marker: number;
}

async function openCold(page: Page, url: string, marker: (page: Page) => Promise<void>): Promise<Split> {
  const start = performance.now();
  let apiAsked = Number.NaN;
  let apiAnswered = Number.NaN;
  page.on('request', (request) => {
    if (Number.isNaN(apiAsked) && request.url().includes('/api/trpc/')) apiAsked = performance.now() - start;
  });
  page.on('response', (response) => {
    if (Number.isNaN(apiAnswered) && response.url().includes('/api/trpc/'))
      apiAnswered = performance.now() - start;
  });
  // 'commit': the marker is timed on its own, not after the load event.
  await page.goto(url, { waitUntil: 'commit' });
  await marker(page);
  const markerMs = performance.now() - start;
  const nav = await page.evaluate(() => {
    const [entry] = performance.getEntriesByType('navigation') as PerformanceNavigationTiming[];
    return entry
      ? { response: entry.responseEnd, dcl: entry.domContentLoadedEventEnd, load: entry.loadEventEnd }
      : null;
  });
  return {
    response: nav?.response ?? Number.NaN,
    dcl: nav?.dcl ?? Number.NaN,
    load: nav?.load ?? Number.NaN,
    apiAsked,
    apiAnswered,
    marker: markerMs,
  };
}

const p50 = (values: number[]) => `${Math.round(percentile(values, 50))}`;

export async function benchPageFloor(table: Table): Promise<void> {
  let agent: AgentProcess | undefined;
  let web: WebServer | undefined;
  let browser: Awaited<ReturnType<typeof chromium.launch>> | undefined;
  try {
    agent = await startAgent();
    web = await startWebServer({ localAgentSocket: agent.socketPath });
    browser = await chromium.launch(CHROMIUM_LAUNCH_OPTIONS);
    const context = await browser.newContext();
    await logIn(context, web);
    const hosts = await context.request.get(`${web.baseURL}/api/trpc/hosts.list`);
    const hostId = ((await hosts.json()) as { result: { data: Array<{ id: string }> } }).result.data[0]?.id;
    const pages: [string, string, (page: Page) => Promise<void>][] = [
      ['/login (no data)', '/login', (page) => page.getByLabel('Username').waitFor()],
      ['/hosts (fleet, one host)', '/hosts', (page) => page.getByTestId('host-containers').first().waitFor()],
      ['/hosts/<id> (host page)', `/hosts/${hostId}`, (page) => page.getByTestId('system-info').waitFor()],
    ];
    const rows: [string, string][] = [];
    for (const [label, path, marker] of pages) {
      const splits: Split[] = [];
      for (let i = 0; i < RUNS; i++) {
        const page = await context.newPage();
        splits.push(await openCold(page, `${web.baseURL}${path}`, marker));
        await page.close();
      }
      const of = (key: keyof Split) => p50(splits.map((s) => s[key]).filter((v) => !Number.isNaN(v)));
      rows.push([
        label,
        `${of('response')} / ${of('dcl')} / ${of('load')} / ${of('apiAsked')} / ${of('apiAnswered')} / ${of('marker')}`,
      ]);
    }
    table(
      'page floor: p50 ms from navigation — document / DOMContentLoaded / load / first tRPC request sent / its answer / on screen',
      rows,
    );
  } finally {
    await browser?.close();
    await web?.stop();
    await agent?.stop();
  }
}
