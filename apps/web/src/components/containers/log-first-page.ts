import type { LogPage, LogViewFilter } from '@stevedore/shared';

/**
 * How many lines from the end the Logs tab opens with (read on the server, in the HTML; scrolling up
 * pages further back). More than a tall screen shows; a first page of 1000 lines in the document
 * held its first paint back by a third (BENCHMARKS.md, "the Logs tab's first page").
 */
export const FIRST_TAIL = 100;
export const TAILS = [FIRST_TAIL, 500, 1000, 3000] as const;
/** The view's filter before the user changes anything: both streams, no time range. */
export const UNFILTERED: LogViewFilter = { streams: ['stdout', 'stderr'], since: null, until: null };

/** The tab's first page, read on the server so the last lines are in the page's HTML. */
export type FirstLogPage = Pick<LogPage, 'lines' | 'before' | 'atStart'>;
