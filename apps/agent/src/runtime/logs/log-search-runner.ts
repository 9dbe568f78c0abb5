import { Worker } from 'node:worker_threads';
import { type ErrorCode, ErrorCodes, StevedoreError } from '@stevedore/shared';
import type { OpenLogFile } from './log-files.js';
import type { FromSearchWorker, ToSearchWorker, WorkerFile } from './log-search-worker.js';
import type { ViewFile } from './log-view-files.js';

/**
 * The worker module sits next to this one (.js in dist/ and beside agent.mjs in the bundle);
 * under tsx (tests) a one-line module registers tsx first, as for the layer extraction workers.
 */
function workerEntry(): URL {
  if (!import.meta.url.endsWith('.ts')) return new URL('./log-search-worker.js', import.meta.url);
  const worker = new URL('./log-search-worker.ts', import.meta.url).href;
  const bootstrap = `import { register } from ${JSON.stringify(import.meta.resolve('tsx/esm/api'))}; register(); await import(${JSON.stringify(worker)});`;
  return new URL(`data:text/javascript,${encodeURIComponent(bootstrap)}`);
}
const workerUrl = workerEntry();

/**
 * How long a search thread may go without finishing a block before it is ended. The scan stops
 * at its own budget between blocks and says so after each one; only a regular expression that
 * backtracks without end on one line stays silent that long (a slow machine still reports blocks),
 * and ending the thread is the one way to stop it.
 */
export const SEARCH_STUCK_LIMIT_MS = 5_000;
/** Searches at once; more wait their turn (each is a thread scanning files). */
const MAX_WORKERS = 2;

/** An idle search thread (its own heap, several MiB) is ended after this long unused. */
const IDLE_WORKER_MS = 5 * 60_000;

const idle: Worker[] = [];
const idleTimers = new Map<Worker, NodeJS.Timeout>();
let busy = 0;
const queue: Array<() => void> = [];

async function takeWorker(): Promise<Worker> {
  while (busy >= MAX_WORKERS) await new Promise<void>((resolve) => queue.push(resolve));
  busy++;
  const worker = idle.pop();
  if (!worker) return new Worker(workerUrl);
  clearTimeout(idleTimers.get(worker));
  idleTimers.delete(worker);
  return worker;
}

function giveBack(worker: Worker | null): void {
  busy--;
  if (worker) {
    worker.removeAllListeners('message').removeAllListeners('error').removeAllListeners('exit');
    worker.unref();
    idle.push(worker);
    const timer = setTimeout(() => {
      idleTimers.delete(worker);
      const at = idle.indexOf(worker);
      if (at !== -1) idle.splice(at, 1);
      void worker.terminate();
    }, IDLE_WORKER_MS);
    timer.unref();
    idleTimers.set(worker, timer);
  }
  queue.shift()?.();
}

/**
 * Starts a search thread ahead of the first search (called when someone opens a log page), so
 * that search does not wait for a thread to start and load its modules; kept idle like any other.
 */
export function prewarmSearchWorker(): void {
  if (idle.length > 0 || busy > 0) return;
  busy++;
  const worker = new Worker(workerUrl);
  const done = () => giveBack(worker);
  // An empty count loads the scanning modules and answers at once.
  worker.once('message', done);
  worker.once('error', () => {
    busy--;
    void worker.terminate();
    queue.shift()?.();
  });
  worker.postMessage({
    kind: 'count',
    files: [],
    query: { text: 'x', regex: false, caseSensitive: true },
    request: {
      filter: { streams: new Set(), since: null, until: null },
      writerDone: true,
      cap: 1,
      budgetMs: 1,
    },
  } satisfies ToSearchWorker);
}

/**
 * Runs a search or a count over open log files in a worker thread, so a costly user regex
 * never stalls the agent's event loop; silent past SEARCH_STUCK_LIMIT_MS, the worker is ended and the
 * call fails with INVALID_ARGUMENT. The files stay open (the caller's) until it settles.
 */
export async function runSearchWorker<T>(
  files: readonly ViewFile[],
  handles: readonly OpenLogFile[],
  job: Omit<ToSearchWorker, 'files'>,
): Promise<T> {
  const workerFiles: WorkerFile[] = files.map((file, index) => ({
    fd: (handles[index] as OpenLogFile).handle.fd,
    ino: file.ino,
    head: file.head,
    size: file.size,
  }));
  const worker = await takeWorker();
  worker.ref();
  let reusable = false;
  try {
    const answer = await new Promise<Exclude<FromSearchWorker, { progress: true }>>((resolve, reject) => {
      let timer: NodeJS.Timeout;
      const arm = () => {
        clearTimeout(timer);
        timer = setTimeout(() => {
          reject(
            new StevedoreError(
              'INVALID_ARGUMENT',
              `the search spent more than ${SEARCH_STUCK_LIMIT_MS / 1000} s on one block of the log and was stopped: the regular expression may backtrack without end (nested repetition such as (a+)+); simplify it`,
            ),
          );
        }, SEARCH_STUCK_LIMIT_MS);
      };
      arm();
      const settle = () => {
        clearTimeout(timer);
        worker.removeAllListeners('message');
      };
      worker.on('message', (message: FromSearchWorker) => {
        if ('progress' in message) return arm();
        settle();
        resolve(message);
      });
      worker.once('error', (error) => {
        settle();
        reject(new StevedoreError('INTERNAL', `log search worker failed: ${error.message}`));
      });
      worker.once('exit', (code) => {
        settle();
        reject(new StevedoreError('INTERNAL', `log search worker exited (${code})`));
      });
      worker.postMessage({ ...job, files: workerFiles } as ToSearchWorker);
    });
    reusable = true;
    if (answer.ok) return answer.result as T;
    const code: ErrorCode = ErrorCodes.includes(answer.code as ErrorCode)
      ? (answer.code as ErrorCode)
      : 'INTERNAL';
    throw new StevedoreError(code, answer.message);
  } finally {
    if (!reusable) {
      // Stuck in a regex or broken: the thread is ended before the files it reads are closed.
      await worker.terminate();
    }
    giveBack(reusable ? worker : null);
  }
}
