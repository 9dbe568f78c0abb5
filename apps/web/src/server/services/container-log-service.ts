import type {
  LogCursor,
  LogMatchCount,
  LogMatchCountInput,
  LogPage,
  LogPageInput,
  LogSearchInput,
  LogSearchResult,
  LogViewFilter,
  LogViewLine,
} from '@stevedore/shared';
import type { Db } from '../db/client';
import { getHost } from '../db/repositories/hosts';
import type { AgentHub } from '../hub/agent-hub';

/** How long one follow request waits at the agent for new lines before asking again. */
const FOLLOW_WAIT_MS = 15_000;
/** Lines per agent call when streaming the whole log for a download. */
const DOWNLOAD_PAGE_LINES = 5_000;

/** One line of a download: `<time> <stream> <text>`, partial lines marked. */
export const downloadLine = (line: LogViewLine) =>
  `${line.time} ${line.stream}${line.partial ? ' (partial)' : ''} ${line.text}\n`;

/**
 * A container's log for the viewer, through the hub: pages, search and counts (each one agent
 * call), following (long-polled pages from a cursor), and the whole log for a download.
 */
export class ContainerLogService {
  constructor(
    private readonly db: Db,
    private readonly hub: AgentHub,
  ) {}

  async page(hostId: string, input: LogPageInput): Promise<LogPage> {
    await getHost(this.db, hostId);
    return this.hub.call(hostId, (client) => client.containers.logPage.query(input));
  }

  async search(hostId: string, input: LogSearchInput): Promise<LogSearchResult> {
    await getHost(this.db, hostId);
    return this.hub.call(hostId, (client) => client.containers.logSearch.query(input));
  }

  async count(hostId: string, input: LogMatchCountInput): Promise<LogMatchCount> {
    await getHost(this.db, hostId);
    return this.hub.call(hostId, (client) => client.containers.logMatchCount.query(input));
  }

  /**
   * New lines after `from` as the container writes them, a batch per agent answer: each call
   * waits at the agent until something is written (or FOLLOW_WAIT_MS), so a quiet log costs one
   * call per wait and a busy one a call per page. Ends when `signal` aborts.
   */
  async *follow(
    hostId: string,
    input: LogViewFilter & { container: string; from: LogCursor | 'end' },
    signal: AbortSignal,
  ): AsyncGenerator<{ lines: LogViewLine[]; after: LogCursor }> {
    await getHost(this.db, hostId);
    let from: LogCursor | 'end' = input.from;
    while (!signal.aborted) {
      let page: LogPage;
      try {
        page = await this.hub.call(hostId, (client) =>
          client.containers.logPage.query(
            { ...input, from, direction: 'forward', limit: 1000, waitMs: FOLLOW_WAIT_MS },
            { signal },
          ),
        );
      } catch (error) {
        // The viewer went away mid-wait: the aborted call is the end, not a failure.
        if (signal.aborted) return;
        throw error;
      }
      from = page.after;
      // An empty answer also moves the cursor on (to the end when `from` was 'end').
      yield { lines: page.lines, after: page.after };
    }
  }

  /** The whole log, oldest first, as text lines; the consumer's pace drives the agent calls. */
  async *download(hostId: string, container: string, signal: AbortSignal): AsyncGenerator<string> {
    await getHost(this.db, hostId);
    let from: LogCursor | 'start' = 'start';
    while (!signal.aborted) {
      const page = await this.hub.call(hostId, (client) =>
        client.containers.logPage.query(
          { container, from, direction: 'forward', limit: DOWNLOAD_PAGE_LINES },
          { signal },
        ),
      );
      if (page.lines.length > 0) yield page.lines.map(downloadLine).join('');
      if (page.atEnd) return;
      from = page.after;
    }
  }
}
