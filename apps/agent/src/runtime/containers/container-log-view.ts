import { watch } from 'node:fs';
import { dirname } from 'node:path';
import {
  compileLogSearch,
  type LogMatchCount,
  type LogMatchCountInputSchema,
  type LogPage,
  type LogPageInputSchema,
  type LogSearchInputSchema,
  type LogSearchResult,
  type LogViewFilter,
} from '@stevedore/shared';
import type { z } from 'zod';
import { parseTimeBound } from '../../util/time-bound.js';
import { closeLogFiles } from '../logs/log-files.js';
import { type LineFilter, readPage, viewLine } from '../logs/log-page.js';
import { prewarmSearchWorker, runSearchWorker } from '../logs/log-search-runner.js';
import type { SearchOutcome } from '../logs/log-search-scan.js';
import { cursorAt, openViewFiles, type ViewFile } from '../logs/log-view-files.js';
import type { ContainerLogs } from './container-logs.js';
import type { ContainerContext } from './service-context.js';

/** The time budget of one search call; the viewer goes on from where it stopped. */
const SEARCH_BUDGET_MS = 1_500;
const COUNT_BUDGET_MS = 3_000;

const lineFilter = (filter: LogViewFilter): LineFilter => ({
  streams: new Set(filter.streams),
  since: filter.since ? parseTimeBound(filter.since) : null,
  until: filter.until ? parseTimeBound(filter.until) : null,
});

/**
 * The log viewer's reads of a container's whole log (every rotated file): pages in either
 * direction from a cursor that survives rotation, and search (in a worker thread, see
 * log-search-runner.ts). Each call opens the files afresh and closes them when done.
 */
export class ContainerLogView {
  constructor(
    private readonly ctx: ContainerContext,
    private readonly logs: ContainerLogs,
  ) {}

  private target(ref: string) {
    const record = this.ctx.deps.store.get(ref);
    const running = record.State.Running || record.State.Restarting || record.State.Paused;
    return {
      logPath: this.ctx.logPath(record.Id),
      maxFiles: this.logs.filesToRead(record),
      writerDone: !running,
    };
  }

  private async withFiles<T>(
    ref: string,
    fn: (
      files: ViewFile[],
      handles: Awaited<ReturnType<typeof openViewFiles>>['handles'],
      writerDone: boolean,
    ) => Promise<T>,
  ): Promise<T> {
    const target = this.target(ref);
    const { files, handles } = await openViewFiles(target.logPath, target.maxFiles);
    try {
      return await fn(files, handles, target.writerDone);
    } finally {
      await closeLogFiles(handles);
    }
  }

  async page(input: z.output<typeof LogPageInputSchema>, signal?: AbortSignal): Promise<LogPage> {
    // Someone is reading this log: a search is likely next.
    if (typeof input.from === 'string') prewarmSearchWorker();
    const filter = lineFilter(input);
    const read = () =>
      this.withFiles(input.container, (files, _handles, writerDone) =>
        readPage(files, {
          from: input.from,
          direction: input.direction,
          limit: input.limit,
          filter,
          writerDone,
        }),
      );
    let page = await read();
    if (input.direction !== 'forward' || input.waitMs === 0) return page;
    const deadline = Date.now() + input.waitMs;
    while (page.lines.length === 0 && page.atEnd && Date.now() < deadline && !signal?.aborted) {
      await this.changeOf(input.container, deadline - Date.now(), signal);
      page = await read();
    }
    return page;
  }

  /** Resolves when the log's directory changes (a write, a rotation), at `ms`, or on abort. */
  private changeOf(ref: string, ms: number, signal?: AbortSignal): Promise<void> {
    const { logPath } = this.target(ref);
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        watcher.close();
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      const watcher = watch(dirname(logPath), done);
      // A watcher that fails ends the wait early; the caller reads again and waits anew.
      watcher.on('error', done);
      signal?.addEventListener('abort', done);
    });
  }

  async search(input: z.output<typeof LogSearchInputSchema>): Promise<LogSearchResult> {
    compileLogSearch(input.query); // an invalid expression fails here, before a worker starts
    return this.withFiles(input.container, async (files, handles, writerDone) => {
      const outcome = await runSearchWorker<SearchOutcome>(files, handles, {
        kind: 'search',
        query: input.query,
        request: {
          from: input.from,
          direction: input.direction,
          filter: lineFilter(input),
          writerDone,
          budgetMs: SEARCH_BUDGET_MS,
        },
      });
      return {
        match: outcome.match ? viewLine(files, outcome.match) : null,
        resumeFrom: outcome.resume ? cursorAt(files, outcome.resume) : null,
        scannedBytes: outcome.bytes,
      };
    });
  }

  async count(input: z.output<typeof LogMatchCountInputSchema>): Promise<LogMatchCount> {
    compileLogSearch(input.query);
    return this.withFiles(input.container, (files, handles, writerDone) =>
      runSearchWorker<LogMatchCount>(files, handles, {
        kind: 'count',
        query: input.query,
        request: { filter: lineFilter(input), writerDone, cap: input.cap, budgetMs: COUNT_BUDGET_MS },
      }),
    );
  }
}
