/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/** Job 1: agent event → its row in an open /events page, measured with the browser's own clock. */
import { randomBytes } from 'node:crypto';
import type { BrowserContext, Page } from '@playwright/test';
import type { AgentConnection } from '@stevedore/agent-api';
import { nowMs, sleep } from './measure';

const WARMUP_PAIRS = 5;

interface Seen {
  dom: number;
  frame: number | null;
  at: string | null;
}
interface BenchWindow {
  __bench: { seen: Record<string, Seen> };
}
export interface Sample {
  /** Node's clock before the API call → the row is in the DOM (browser's clock, corrected). */
  dom: number;
  /** … → the animation frame after that. */
  frame: number;
  /** The agent's event timestamp → the row is in the DOM. */
  fromStamp: number;
}

export async function eventLatency(
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
          .catch(() => null); // not shown within the timeout: counted below as lost
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
