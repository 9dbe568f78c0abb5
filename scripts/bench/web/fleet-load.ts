/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/** Job 2: the fleet page and a host's page loading, probed from inside the browser. */
import type { BrowserContext } from '@playwright/test';
import { sleep } from './measure';

export interface ProbeWindow {
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
 * stream opens and first answers, when the list has every host, and when every host is online with
 * its usage (the rows on screen showing it); counts DOM updates and keeps every long task.
 */
export function fleetProbe(names: string[]): void {
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
  // /hosts is virtualised: the list says how many rows it has and how many are online with their
  // usage; the rows in the DOM must show it too.
  const check = () => {
    const now = performance.now();
    const list = document.querySelector('[data-testid="hosts-rows"]');
    if (!list) return;
    const total = Number(list.getAttribute('data-total'));
    if (state.allRows === null && total >= names.length) state.allRows = now;
    const rows = [...list.querySelectorAll('[data-testid^="host-row-"]')];
    const shown = rows.every((row) => {
      const hostState = row.querySelector('[data-testid="host-state"]')?.textContent?.trim();
      const cpu = row.querySelector('[data-testid="host-cpu"]')?.textContent?.trim();
      return hostState === 'online' && cpu && cpu !== '—';
    });
    if (
      total >= names.length &&
      Number(list.getAttribute('data-live')) === total &&
      rows.length > 0 &&
      shown
    ) {
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

export interface CountWindow {
  __count: { done: number | null };
}

/** Runs in the page before its own scripts: records when every selector matches at least `count` elements. */
export function countProbe(wanted: { selector: string; count: number }[]): void {
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

export interface FleetLoad {
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

export async function fleetLoad(
  context: BrowserContext,
  baseURL: string,
  names: string[],
  timeoutMs = 60_000,
): Promise<FleetLoad> {
  const page = await context.newPage();
  try {
    await page.addInitScript(fleetProbe, names);
    await page.goto(`${baseURL}/hosts`, { waitUntil: 'commit' });
    await page.waitForFunction(() => (window as unknown as ProbeWindow).__fleet?.ready != null, null, {
      timeout: timeoutMs,
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
