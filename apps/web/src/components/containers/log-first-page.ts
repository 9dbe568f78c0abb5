import type { LogPage, LogViewFilter } from '@stevedore/shared';

/** How many lines from the end the Logs tab opens with (the first of its tail choices). */
export const FIRST_TAIL = 1000;
export const TAILS = [100, 500, FIRST_TAIL, 3000] as const;
/** The view's filter before the user changes anything: both streams, no time range. */
export const UNFILTERED: LogViewFilter = { streams: ['stdout', 'stderr'], since: null, until: null };

/** The tab's first page, read on the server so the last lines are in the page's HTML. */
export type FirstLogPage = Pick<LogPage, 'lines' | 'before' | 'atStart'>;
