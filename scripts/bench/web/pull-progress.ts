/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * `npm run bench -- pull-progress`: a pull followed in the browser's pull dialog, measured (never
 * asserted), against a real agent and a local registry.
 *
 * 1. Update rate: the registry is reached through a front that paces each blob to RATE_MIB_S, so a
 *    layer downloads for seconds as it would from afar; the page counts every change of each layer
 *    bar's byte count (MutationObserver) and reports updates a second while the layer downloads.
 * 2. Cost of watching: the same image pulled straight from the registry (no pacing: the pull is as
 *    fast as the host unpacks, where relaying costs most), alternately by `stevedore pull -q` (nobody
 *    watches) and in the dialog (page clock from the click to "done"), the image removed between.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from '@playwright/test';
import { chromium } from '@playwright/test';
import { type AgentProcess, startAgent } from '../../../apps/agent/test/harness/agent-process';
import { runCli } from '../../../apps/agent/test/harness/cli-process';
import { CHROMIUM_LAUNCH_OPTIONS } from '../../../e2e/chromium';
import { startWebServer, type WebServer } from '../../../e2e/harness/web-server';
import { nowMs, percentile, sleep } from './measure';
import { logIn } from './session';

type Table = (name: string, rows: [string, string][]) => void;

const LAYERS = 3;
const LAYER_MIB = 32;
const RATE_MIB_S = 16;
const RATE_PULLS = 2;
const COST_ROUNDS = 5;

interface TestRegistry {
  url: string;
  host: string;
  stop(): Promise<void>;
}
/** The agent's test registry and image builder, loaded by a path TypeScript does not follow (DOM types). */
async function harness(): Promise<{
  startRegistry(): Promise<TestRegistry>;
  pushImage(
    registry: TestRegistry,
    repository: string,
    tag: string,
    layers: unknown[][],
  ): Promise<{ reference: string; configDigest: string }>;
}> {
  const base = '../../../apps/agent/test/harness';
  const [registry, images] = await Promise.all([
    import(`${base}/registry.ts`),
    import(`${base}/test-images.ts`),
  ]);
  return { startRegistry: registry.startRegistry, pushImage: images.pushImage };
}

/** A front to `upstream` that sends blobs at `mibPerSecond` each (manifests at full speed). */
async function pacedFront(
  upstream: string,
  mibPerSecond: number,
): Promise<{ host: string; stop(): Promise<void> }> {
  const chunk = 64 * 1024;
  const server: Server = createServer(async (req, res) => {
    const answer = await fetch(`${upstream}${req.url}`, { headers: { accept: req.headers.accept ?? '*/*' } });
    const body = Buffer.from(await answer.arrayBuffer());
    const headers: Record<string, string> = { 'content-length': String(body.length) };
    for (const name of ['content-type', 'docker-content-digest']) {
      const value = answer.headers.get(name);
      if (value) headers[name] = value;
    }
    res.writeHead(answer.status, headers);
    if (!req.url?.includes('/blobs/')) return void res.end(body);
    const start = Date.now();
    for (let sent = 0; sent < body.length && !res.destroyed; sent += chunk) {
      res.write(body.subarray(sent, sent + chunk));
      const due = start + ((sent + chunk) / (mibPerSecond * 1024 * 1024)) * 1000;
      if (due > Date.now()) await sleep(due - Date.now());
    }
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    host: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

interface PullTiming {
  /** Click → the dialog says done, page clock. */
  ms: number;
  /** Per layer: byte-count updates and how long the layer was downloading. */
  layers: { updates: number; downloadingMs: number }[];
}

/** Pulls `reference` in the open dialog and watches every layer bar until the dialog says done. */
async function pullInDialog(page: Page, reference: string): Promise<PullTiming> {
  await page.getByRole('button', { name: 'Pull image' }).click();
  const dialog = page.getByRole('dialog', { name: 'Pull an image' });
  await dialog.getByLabel('Image reference').fill(reference);
  const timing = await page.evaluate(
    () =>
      new Promise<PullTiming>((resolve, reject) => {
        const seen = new Map<string, { times: number[]; last: string | null }>();
        const submit = document.querySelector<HTMLButtonElement>('dialog[open] button[type="submit"]');
        if (!submit) return reject(new Error('no Pull button'));
        const start = performance.now();
        const timeout = setTimeout(() => reject(new Error('the pull did not finish within 300 s')), 300_000);
        const observer = new MutationObserver(() => {
          const now = performance.now();
          for (const layer of document.querySelectorAll<HTMLElement>('[data-testid="pull-layer"]')) {
            const id = layer.dataset.layer ?? '';
            const entry = seen.get(id) ?? { times: [], last: null };
            seen.set(id, entry);
            if (layer.dataset.phase === 'downloading' && layer.dataset.current !== entry.last) {
              entry.last = layer.dataset.current ?? null;
              entry.times.push(now);
            }
          }
          const stage = document.querySelector<HTMLElement>('[data-testid="pull-progress"]')?.dataset.stage;
          if (stage === 'failed') {
            observer.disconnect();
            clearTimeout(timeout);
            reject(
              new Error(document.querySelector('dialog[open] [role="alert"]')?.textContent ?? 'pull failed'),
            );
          }
          if (stage !== 'done') return;
          observer.disconnect();
          clearTimeout(timeout);
          resolve({
            ms: now - start,
            layers: [...seen.values()].map((entry) => ({
              updates: entry.times.length,
              downloadingMs: (entry.times.at(-1) ?? 0) - (entry.times[0] ?? 0),
            })),
          });
        });
        observer.observe(document.body, {
          subtree: true,
          childList: true,
          attributes: true,
          characterData: true,
        });
        submit.click();
      }),
  );
  await dialog.getByRole('button', { name: 'Close' }).click();
  return timing;
}

async function removeImage(agent: AgentProcess, reference: string): Promise<void> {
  const removed = await runCli(['-H', agent.host, 'rmi', '-f', reference]);
  if (removed.code !== 0) throw new Error(`rmi ${reference}: ${removed.stderr}`);
}

export async function benchPullProgress(table: Table): Promise<void> {
  const { startRegistry, pushImage } = await harness();
  let agent: AgentProcess | undefined;
  let web: WebServer | undefined;
  let registry: TestRegistry | undefined;
  let front: { host: string; stop(): Promise<void> } | undefined;
  const browser = await chromium.launch(CHROMIUM_LAUNCH_OPTIONS);
  try {
    agent = await startAgent();
    web = await startWebServer({ localAgentSocket: agent.socketPath });
    registry = await startRegistry();
    const { randomBytes } = await import('node:crypto');
    const layers = Array.from({ length: LAYERS }, (_, i) => [
      { type: 'file', name: `blob-${i}.bin`, content: randomBytes(LAYER_MIB << 20) },
    ]);
    const image = await pushImage(registry, 'bench/pull', 'latest', layers);
    front = await pacedFront(registry.url, RATE_MIB_S);
    const paced = image.reference.replace(registry.host, front.host);

    const context = await browser.newContext();
    await context.addInitScript({ content: 'globalThis.__name = (fn) => fn;' });
    await logIn(context, web);
    const page = await context.newPage();
    await page.goto(`${web.baseURL}/hosts`);
    await page.getByTestId('host-row-local').getByRole('link', { name: 'local' }).click();
    await page.getByRole('navigation', { name: 'Host' }).getByRole('link', { name: 'Images' }).click();
    await page.getByRole('button', { name: 'Pull image' }).waitFor();

    const rates: number[] = [];
    for (let i = 0; i < RATE_PULLS; i++) {
      const timing = await pullInDialog(page, paced);
      for (const layer of timing.layers) {
        if (layer.downloadingMs >= 500) rates.push(((layer.updates - 1) * 1000) / layer.downloadingMs);
      }
      await removeImage(agent, paced);
    }

    const watched: number[] = [];
    const unwatched: number[] = [];
    for (let i = 0; i < COST_ROUNDS; i++) {
      const start = nowMs();
      const pulled = await runCli(['-H', agent.host, 'pull', '-q', image.reference], {}, 300_000);
      if (pulled.code !== 0) throw new Error(`pull: ${pulled.stderr}`);
      unwatched.push(nowMs() - start);
      await removeImage(agent, image.reference);
      watched.push((await pullInDialog(page, image.reference)).ms);
      await removeImage(agent, image.reference);
    }
    const ms = (value: number) => `${value.toFixed(0)} ms`;
    const median = (values: number[]) => percentile(values, 50);
    table('pull-progress', [
      ['image', `${LAYERS} layers × ${LAYER_MIB} MiB of random bytes, local registry`],
      [
        `bar updates a second while a layer downloads (paced to ${RATE_MIB_S} MiB/s a blob), min / p50 / max over ${rates.length} layers`,
        rates.length
          ? `${Math.min(...rates).toFixed(1)} / ${median(rates).toFixed(1)} / ${Math.max(...rates).toFixed(1)}`
          : 'no layer downloaded for 0.5 s',
      ],
      [
        `pull nobody watches (stevedore pull -q), median of ${COST_ROUNDS}`,
        `${ms(median(unwatched))} (${unwatched.map(ms).join(', ')})`,
      ],
      [
        `pull followed in the dialog (click → done), median of ${COST_ROUNDS}`,
        `${ms(median(watched))} (${watched.map(ms).join(', ')})`,
      ],
      [
        'watching costs',
        `${(((median(watched) - median(unwatched)) / median(unwatched)) * 100).toFixed(1)} %`,
      ],
    ]);
  } finally {
    await browser.close();
    await front?.stop();
    await registry?.stop();
    await web?.stop();
    await agent?.stop();
  }
}
