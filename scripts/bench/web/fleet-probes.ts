/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * Probes for the `fleet` benchmark: /containers until every row is counted with live numbers, and
 * what an open page costs (main thread busy share, long tasks, bytes arriving from the server).
 */
import type { Browser, BrowserContext, CDPSession, Page } from '@playwright/test';
import { sleep } from './measure';

export interface ContainersWindow {
  __containers: { ready: number | null; firstMessage: number | null };
}

/** Runs in the page before its scripts: when the count reaches `total` and some CPU figure shows. */
export function containersProbe(total: number): void {
  const state: ContainersWindow['__containers'] = { ready: null, firstMessage: null };
  (window as unknown as ContainersWindow).__containers = state;
  const NativeEventSource = window.EventSource;
  window.EventSource = class extends NativeEventSource {
    constructor(url: string | URL, init?: EventSourceInit) {
      super(url, init);
      if (!String(url).includes('containers.fleet.window')) return;
      this.addEventListener('message', () => {
        state.firstMessage ??= performance.now();
      });
    }
  };
  const observer = new MutationObserver(() => {
    const count = Number(
      document.querySelector('[data-testid="containers-count"]')?.getAttribute('data-total'),
    );
    if (count < total) return;
    const cpu = [...document.querySelectorAll('[data-testid="container-cpu"]')].some((el) =>
      el.textContent?.includes('%'),
    );
    if (cpu) {
      state.ready = performance.now();
      observer.disconnect();
    }
  });
  observer.observe(document, { childList: true, subtree: true, characterData: true, attributes: true });
}

/**
 * /containers from navigation until every row is counted with CPU figures on screen, and until its
 * live subscription's first message came (page clock).
 */
export async function containersLoad(
  context: BrowserContext,
  url: string,
  total: number,
): Promise<{ ready: number; firstMessage: number }> {
  const page = await context.newPage();
  try {
    await page.addInitScript(containersProbe, total);
    await page.goto(url, { waitUntil: 'commit' });
    // Shown (from the server's HTML) and live (the window subscription's first message applied).
    await page.waitForFunction(
      () => {
        const state = (window as unknown as ContainersWindow).__containers;
        return state.ready !== null && state.firstMessage !== null;
      },
      null,
      {
        timeout: 120_000,
        polling: 100,
      },
    );
    return await page.evaluate(() => {
      const state = (window as unknown as ContainersWindow).__containers;
      return { ready: state.ready as number, firstMessage: state.firstMessage ?? Number.NaN };
    });
  } finally {
    await page.close();
  }
}

export interface OpenPageCost {
  /** Share of the window the renderer's main thread ran tasks (CDP TaskDuration). */
  busyPercent: number;
  longTasks: number;
  longestTaskMs: number;
  /** Bytes received over the network (encoded, as on the wire) per second. */
  wireBytesPerSecond: number;
  /** Of which subscription (server-sent event) payloads per second. */
  eventBytesPerSecond: number;
}

/**
 * Follows an open page: its main thread and what arrives from the server. Start before the window,
 * `stop()` after it.
 */
export async function followPage(
  context: BrowserContext,
  page: Page,
): Promise<{ stop(): Promise<OpenPageCost> }> {
  const cdp: CDPSession = await context.newCDPSession(page);
  await cdp.send('Performance.enable');
  await cdp.send('Network.enable');
  let wire = 0;
  let events = 0;
  cdp.on('Network.dataReceived', (event) => {
    wire += event.encodedDataLength;
  });
  cdp.on('Network.eventSourceMessageReceived', (event) => {
    events += event.data.length;
  });
  const taskSeconds = async () =>
    (await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === 'TaskDuration')?.value ??
    Number.NaN;
  await page.evaluate(() => {
    const tasks: { start: number; duration: number }[] = [];
    (window as unknown as { __tasks: typeof tasks }).__tasks = tasks;
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) tasks.push({ start: entry.startTime, duration: entry.duration });
    }).observe({ type: 'longtask' });
  });
  const t0 = performance.now();
  const tasks0 = await taskSeconds();
  return {
    stop: async () => {
      const tasks1 = await taskSeconds();
      const seconds = (performance.now() - t0) / 1000;
      const longTasks = await page.evaluate(
        () => (window as unknown as { __tasks: { duration: number }[] }).__tasks,
      );
      await cdp.detach();
      return {
        busyPercent: ((tasks1 - tasks0) / seconds) * 100,
        longTasks: longTasks.length,
        longestTaskMs: Math.max(0, ...longTasks.map((t) => t.duration)),
        wireBytesPerSecond: wire / seconds,
        eventBytesPerSecond: events / seconds,
      };
    },
  };
}

/** Opens `url`, waits for `ready`, lets it settle, then follows it for `ms`. */
export async function openPageCost(
  context: BrowserContext,
  url: string,
  ready: (page: Page) => Promise<unknown>,
  ms: number,
): Promise<OpenPageCost> {
  const page = await context.newPage();
  try {
    await page.goto(url);
    await ready(page);
    await sleep(3_000);
    const follow = await followPage(context, page);
    await sleep(ms);
    return await follow.stop();
  } finally {
    await page.close();
  }
}

/**
 * `count` more browsers (contexts signed in as `storageState`), each with /hosts and /containers
 * open (navigation committed, the rest left to load): the fleet benchmarks' watchers.
 */
export async function openFleetWatchers(
  browser: Browser,
  storageState: Awaited<ReturnType<BrowserContext['storageState']>>,
  baseURL: string,
  count: number,
): Promise<BrowserContext[]> {
  const contexts: BrowserContext[] = [];
  for (let i = 0; i < count; i++) {
    const watcher = await browser.newContext({ storageState });
    contexts.push(watcher);
    watcher.setDefaultNavigationTimeout(120_000);
    for (const path of ['/hosts', '/containers']) {
      const page = await watcher.newPage();
      await page.goto(`${baseURL}${path}`, { waitUntil: 'commit' });
    }
  }
  return contexts;
}
