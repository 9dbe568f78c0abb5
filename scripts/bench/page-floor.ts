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
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
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

/** FCP by the page's clock; waits for the entry (it is reported after the paint). */
function firstContentfulPaint(page: Page): Promise<number> {
  return page.evaluate(
    () =>
      new Promise<number>((resolve) => {
        new PerformanceObserver((list) => {
          const entry = list.getEntriesByName('first-contentful-paint')[0];
          if (entry) resolve(entry.startTime);
        }).observe({ type: 'paint', buffered: true });
      }),
  );
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
    // What the page's scripts cost the first paint: the same documents painted with JavaScript off
    // (the script files refused: HTML + CSS only, the floor a server-rendered first screen can reach)
    // and on, in turn.
    const noScripts = await browser.newContext();
    await noScripts.addCookies(await context.cookies());
    await noScripts.route('**/_next/static/**/*.js', (route) => route.abort());
    const paintRows: [string, string][] = [];
    for (const [label, path] of [
      ['/login', '/login'],
      ['/containers (server-rendered list)', '/containers'],
    ] as const) {
      const fcp: Record<'on' | 'off', number[]> = { on: [], off: [] };
      for (let i = 0; i < RUNS * 2; i++)
        for (const [key, ctx] of [
          ['on', context],
          ['off', noScripts],
        ] as const) {
          const page = await ctx.newPage();
          await page.goto(`${web.baseURL}${path}`, { waitUntil: 'load' });
          fcp[key].push(await firstContentfulPaint(page));
          await page.close();
        }
      paintRows.push([label, `${p50(fcp.on)} / ${p50(fcp.off)}`]);
    }
    // The browser's own floor: a one-line static page from a bare HTTP server, in a new tab.
    const bare = createServer((_request, response) => {
      response.setHeader('content-type', 'text/html');
      response.end('<!doctype html><title>floor</title><p>line 1000000</p>');
    }).listen(0, '127.0.0.1');
    await once(bare, 'listening');
    const { port } = bare.address() as AddressInfo;
    const bareFcp: number[] = [];
    for (let i = 0; i < RUNS * 2; i++) {
      const page = await context.newPage();
      await page.goto(`http://127.0.0.1:${port}/`, { waitUntil: 'load' });
      bareFcp.push(await firstContentfulPaint(page));
      await page.close();
    }
    bare.close();
    paintRows.push(["a one-line static page (the browser's floor)", `${p50(bareFcp)}`]);
    await noScripts.close();
    table('page floor: first contentful paint p50 ms, scripts on / off (same documents, in turn)', paintRows);
  } finally {
    await browser?.close();
    await web?.stop();
    await agent?.stop();
  }
}
