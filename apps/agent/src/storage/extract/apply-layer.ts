import type { Readable } from 'node:stream';
import { Worker } from 'node:worker_threads';
import { isStevedoreError, StevedoreError } from '@stevedore/shared/errors';
import { coalesce } from '../../util/coalesce.js';
import type { FromWorker, ToWorker } from './apply-layer-worker.js';
import type { AppliedLayer, ExtractOptions } from './extract-tar.js';

export type { AppliedLayer } from './extract-tar.js';

/** Bytes sent to a worker and not yet taken by its decompressor: bounds memory per layer. */
const MAX_IN_FLIGHT = 8 << 20;

/**
 * The worker module sits next to this one: .js in dist/ (and beside agent.mjs in the installable
 * bundle). When the sources run under tsx (tests), the worker gets a one-line module that registers
 * tsx first, since Node 20 does not pass --import loaders on to a worker's entry point.
 */
function workerEntry(): URL {
  if (!import.meta.url.endsWith('.ts')) return new URL('./apply-layer-worker.js', import.meta.url);
  const worker = new URL('./apply-layer-worker.ts', import.meta.url).href;
  const bootstrap = `import { register } from ${JSON.stringify(import.meta.resolve('tsx/esm/api'))}; register(); await import(${JSON.stringify(worker)});`;
  return new URL(`data:text/javascript,${encodeURIComponent(bootstrap)}`);
}
const workerUrl = workerEntry();

/** Workers kept for the next layer, and how long an idle one lives. */
const MAX_IDLE_WORKERS = 8;
const IDLE_MS = 30_000;
const idleWorkers: Worker[] = [];
const idleTimers = new WeakMap<Worker, NodeJS.Timeout>();

/**
 * A worker for one layer: an idle one when there is one (starting a thread and loading the
 * extractor costs tens of milliseconds of CPU, once per layer otherwise), else a new one.
 */
function takeWorker(): Worker {
  const worker = idleWorkers.pop();
  if (worker) {
    clearTimeout(idleTimers.get(worker));
    worker.removeAllListeners('exit').ref();
    return worker;
  }
  return new Worker(workerUrl);
}

function keepIdle(worker: Worker): void {
  worker.removeAllListeners('message').removeAllListeners('error').removeAllListeners('exit');
  if (idleWorkers.length >= MAX_IDLE_WORKERS) {
    void worker.terminate();
    return;
  }
  const forget = () => {
    const index = idleWorkers.indexOf(worker);
    if (index >= 0) idleWorkers.splice(index, 1);
  };
  // One that ends while idle (timeout, or a crash) is never handed out again.
  worker.once('exit', forget);
  worker.unref(); // an idle worker never keeps the process alive
  const timer = setTimeout(() => {
    forget();
    void worker.terminate();
  }, IDLE_MS);
  timer.unref();
  idleTimers.set(worker, timer);
  idleWorkers.push(worker);
}

/**
 * Unpacks a layer blob (gzip, zstd or plain tar) into `root` as an overlay2 diff directory while it
 * streams (see extract-tar.ts for what is kept and what is refused). Each layer is unpacked by a
 * worker thread of its own, so layers of one pull unpack in parallel and the agent's event loop
 * stays free; the blob's bytes flow to the worker with bounded look-ahead. A worker that finished
 * a layer is kept a while for the next one, and so is one that refused a hostile entry; one that
 * failed otherwise is ended.
 */
export async function applyLayer(
  source: Readable,
  root: string,
  options: ExtractOptions = { whiteouts: true },
): Promise<AppliedLayer> {
  const worker = takeWorker();
  let inFlight = 0;
  let drained: (() => void) | null = null;
  const outcome = new Promise<AppliedLayer>((resolve, reject) => {
    worker.on('message', (message: FromWorker) => {
      if ('consumed' in message) {
        inFlight -= message.consumed;
        if (inFlight < MAX_IN_FLIGHT) drained?.();
      } else if ('done' in message) resolve(message.done);
      else {
        const { message: text, code, context } = message.failed;
        reject(code ? new StevedoreError(code, text, context) : new Error(text));
      }
    });
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`layer extraction worker exited with code ${code}`)));
  });
  // A failure in the worker ends the feeding loop below instead of waiting for credit forever.
  const stopped = outcome.then(
    () => 'stopped' as const,
    () => 'stopped' as const,
  );
  let reusable = false;
  try {
    worker.postMessage({ start: { root, options } } satisfies ToWorker);
    // In MiB pieces with memory of their own: one message each, moved to the worker, not copied.
    for await (const piece of coalesce(source, 1 << 20)) {
      inFlight += piece.length;
      worker.postMessage({ chunk: piece } satisfies ToWorker, [piece.buffer as ArrayBuffer]);
      if (inFlight >= MAX_IN_FLIGHT) {
        const credit = new Promise<'credit'>((resolve) => {
          drained = () => resolve('credit');
        });
        if ((await Promise.race([credit, stopped])) === 'stopped') break;
        drained = null;
      }
    }
    worker.postMessage({ end: true } satisfies ToWorker);
    const applied = await outcome;
    reusable = true;
    return applied;
  } catch (error) {
    // A refused entry ends the layer in good order (the worker closed what it had open): keep it.
    reusable = isStevedoreError(error) && error.code === 'INVALID_ARGUMENT';
    throw error;
  } finally {
    if (reusable) keepIdle(worker);
    else await worker.terminate();
  }
}
