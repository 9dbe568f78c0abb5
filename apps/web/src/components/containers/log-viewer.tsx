'use client';

import {
  compileLogSearch,
  type LogCursor,
  type LogMatcher,
  type LogSearchQuery,
  type LogViewFilter,
  type LogViewLine,
  stripAnsi,
} from '@stevedore/shared';
import { useQuery } from '@tanstack/react-query';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useSubscription } from '@trpc/tanstack-react-query';
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { useTRPC, useTRPCClient } from '~/trpc/react';
import { ErrorNote } from '../ui';
import { FIRST_TAIL, type FirstLogPage, TAILS } from './log-first-page';
import { LogLineView } from './log-line';
import { useLogWindow } from './use-log-window';

const ROW_PX = 20;
/** Lines of the server-rendered first screen (more than a tall window shows). */
const FIRST_SCREEN_LINES = 80;
/** Search calls chained while the agent says "go on from here" before the viewer asks the user. */
const MAX_SEARCH_ROUNDS = 40;

const smallButton =
  'inline-flex h-8 items-center justify-center rounded-md border border-slate-300 px-2 text-xs font-medium hover:bg-slate-100 focus-visible:outline focus-visible:outline-2 focus-visible:outline-sky-500 dark:border-slate-700 dark:hover:bg-slate-800';
const logBox =
  'h-[65vh] min-h-[16rem] rounded-lg border border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-950';
const inputClass =
  'h-8 rounded-md border border-slate-300 bg-white px-2 text-sm dark:border-slate-700 dark:bg-slate-900';

/**
 * One container's whole log: a virtualised, bounded window (see use-log-window.ts) that follows
 * new lines, pages back by scrolling up to line 1, and finds matches anywhere in the log with the
 * agent's server-side search (Enter / Shift+Enter, Esc clears). With `first` (the last lines, read
 * by the server for the page's HTML) it starts from them: no second read, following from their end.
 */
export function LogViewer({
  hostId,
  containerId,
  first = null,
}: {
  hostId: string;
  containerId: string;
  first?: FirstLogPage | null;
}) {
  const trpc = useTRPC();
  const client = useTRPCClient();
  const [tail, setTail] = useState<number>(FIRST_TAIL);
  const [streams, setStreams] = useState<'both' | 'stdout' | 'stderr'>('both');
  const [since, setSince] = useState('');
  const [until, setUntil] = useState('');
  const [showTime, setShowTime] = useState(false);
  const [following, setFollowing] = useState(true);
  const filter: LogViewFilter = useMemo(
    () => ({
      streams: streams === 'both' ? ['stdout', 'stderr'] : [streams],
      since: since.trim() || null,
      until: until.trim() || null,
    }),
    [streams, since, until],
  );
  const log = useLogWindow(hostId, containerId, filter, first);
  const { window: view } = log;
  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: view.lines.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_PX,
    overscan: 30,
  });

  // A new filter or tail: read the end again (not at first when the server already read it).
  const skipFirstRead = useRef(first !== null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: loadTail changes with the filter
  useEffect(() => {
    if (skipFirstRead.current) {
      skipFirstRead.current = false;
      return;
    }
    void log.loadTail(tail);
  }, [tail, filter]);

  // Following: new lines from the window's end, as long as the window reaches the end.
  const [followFrom, setFollowFrom] = useState<{ key: number; from: LogViewLine['next'] | 'end' } | null>(
    null,
  );
  const followable = following && view.atEnd && log.loading === null && filter.until === null;
  useEffect(() => {
    if (followable && !followFrom) setFollowFrom({ key: Date.now(), from: view.after ?? 'end' });
    if (!followable && followFrom) setFollowFrom(null);
  }, [followable, followFrom, view.after]);
  const followState = useSubscription(
    trpc.containers.logs.follow.subscriptionOptions(
      { hostId, container: containerId, ...filter, from: followFrom?.from ?? 'end' },
      {
        enabled: followFrom !== null,
        onData: (batch) => log.appendFollowed(batch.lines, batch.after),
      },
    ),
  );

  /** Where the view was last put at the bottom while following (null: not stuck there). */
  const stuckAt = useRef<number | null>(null);
  // Keep the view where it was when lines are added or dropped above it; stick to the bottom when following.
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs after each change of the lines
  useLayoutEffect(() => {
    const element = scrollRef.current;
    if (!element) return;
    if (following && view.atEnd) {
      log.shiftAbove.current = 0;
      // Moved up since the last stick to the bottom (its scroll event may not have come yet):
      // the reader wants to look back, so following pauses instead of pulling the view down.
      if (stuckAt.current !== null && element.scrollTop < stuckAt.current - ROW_PX * 3) {
        stuckAt.current = null;
        setFollowing(false);
        return;
      }
      element.scrollTop = element.scrollHeight;
      stuckAt.current = element.scrollTop;
      return;
    }
    stuckAt.current = null;
    if (log.shiftAbove.current !== 0) {
      element.scrollTop += log.shiftAbove.current * ROW_PX;
      log.shiftAbove.current = 0;
    }
  }, [view.lines, following, view.atEnd, log.shiftAbove]);

  const onScroll = useCallback(() => {
    const element = scrollRef.current;
    if (!element) return;
    const fromBottom = element.scrollHeight - element.scrollTop - element.clientHeight;
    if (following && fromBottom > ROW_PX * 3) setFollowing(false);
    if (element.scrollTop < ROW_PX * 50 && !view.atStart) void log.loadOlder();
    if (fromBottom < ROW_PX * 50 && !view.atEnd) void log.loadNewer();
  }, [following, view.atStart, view.atEnd, log]);

  // ---- search -------------------------------------------------------------------------------
  const [searchText, setSearchText] = useState('');
  const [regex, setRegex] = useState(false);
  const [caseSensitive, setCaseSensitive] = useState(false);
  const [current, setCurrent] = useState<LogViewLine | null>(null);
  const [searchState, setSearchState] = useState<{
    kind: 'idle' | 'searching' | 'none' | 'error';
    message?: string;
  }>({
    kind: 'idle',
  });
  const searchToken = useRef(0);
  const query: LogSearchQuery | null = useMemo(
    () => (searchText ? { text: searchText, regex, caseSensitive } : null),
    [searchText, regex, caseSensitive],
  );
  const [debounced, setDebounced] = useState<LogSearchQuery | null>(null);
  useEffect(() => {
    const timer = setTimeout(() => setDebounced(query), 300);
    return () => clearTimeout(timer);
  }, [query]);
  const count = useQuery(
    trpc.containers.logs.count.queryOptions(
      {
        hostId,
        container: containerId,
        ...filter,
        query: debounced ?? { text: '-', regex: false, caseSensitive: false },
      },
      { enabled: debounced !== null, staleTime: 10_000, retry: false },
    ),
  );
  // Matches are highlighted only once the agent ran the expression without trouble: a costly one
  // is stopped there, and must not freeze the tab here.
  const matcher: LogMatcher | null = useMemo(() => {
    if (!debounced || !count.isSuccess) return null;
    try {
      return compileLogSearch(debounced);
    } catch {
      return null;
    }
  }, [debounced, count.isSuccess]);

  const find = useCallback(
    async (direction: 'next' | 'previous') => {
      if (!query) return;
      const token = ++searchToken.current;
      setSearchState({ kind: 'searching' });
      const top = view.lines[Math.floor((scrollRef.current?.scrollTop ?? 0) / ROW_PX)];
      let from: LogCursor | 'start' | 'end' = current
        ? direction === 'next'
          ? current.next
          : current.cursor
        : top
          ? direction === 'next'
            ? top.cursor
            : top.next
          : ('end' as const);
      // Like a browser's find: past the last match it goes on from the other end, once.
      let wrapped = false;
      try {
        for (let round = 0; round < MAX_SEARCH_ROUNDS; round++) {
          const result = await client.containers.logs.search.query({
            hostId,
            container: containerId,
            ...filter,
            query,
            from,
            direction,
          });
          if (token !== searchToken.current) return;
          if (result.match) {
            setFollowing(false);
            setCurrent(result.match);
            setSearchState(
              wrapped
                ? {
                    kind: 'none',
                    message: direction === 'next' ? 'wrapped to the top' : 'wrapped to the bottom',
                  }
                : { kind: 'idle' },
            );
            const index = await log.jumpTo(result.match);
            if (index >= 0)
              requestAnimationFrame(() => virtualizer.scrollToIndex(index, { align: 'center' }));
            return;
          }
          if (!result.resumeFrom) {
            if (wrapped) {
              setSearchState({ kind: 'none', message: 'no match' });
              return;
            }
            wrapped = true;
            from = direction === 'next' ? 'start' : 'end';
            continue;
          }
          from = result.resumeFrom;
        }
        setSearchState({ kind: 'none', message: 'still searching — press Enter to go on' });
      } catch (error) {
        if (token === searchToken.current)
          setSearchState({ kind: 'error', message: error instanceof Error ? error.message : String(error) });
      }
    },
    [query, view.lines, current, client, hostId, containerId, filter, log, virtualizer],
  );

  const clearSearch = () => {
    searchToken.current++;
    setSearchText('');
    setCurrent(null);
    setSearchState({ kind: 'idle' });
  };

  const resume = () => {
    setFollowing(true);
    if (!view.atEnd) void log.loadTail(tail);
  };

  // The server-rendered last lines stay on screen (a plain, bottom-anchored list) until the
  // virtualised view, mounted and scrolled to the end, shows the same lines: never both at once.
  const [mounted, setMounted] = useState(false);
  useEffect(() => setMounted(true), []);
  const virtualItems = virtualizer.getVirtualItems();
  const [firstScreen, setFirstScreen] = useState(first !== null && first.lines.length > 0);
  const showsEnd = virtualItems.at(-1)?.index === view.lines.length - 1;
  const firstScreenNow = firstScreen && !(mounted && (showsEnd || !following));
  useEffect(() => {
    if (firstScreen && !firstScreenNow) setFirstScreen(false);
  }, [firstScreen, firstScreenNow]);

  const download = `/api/logs/download?hostId=${encodeURIComponent(hostId)}&container=${encodeURIComponent(containerId)}`;
  const items = firstScreenNow ? [] : virtualItems;

  return (
    <div className="flex min-h-0 flex-col gap-3" data-testid="log-viewer">
      <div className="flex flex-col gap-2 text-sm">
        <div className="flex w-full items-center gap-1">
          <input
            type="search"
            aria-label="Search the whole log"
            placeholder={regex ? 'Regular expression…' : 'Search the whole log…'}
            value={searchText}
            className={`${inputClass} min-w-0 flex-1 font-mono`}
            data-testid="log-search"
            onChange={(event) => {
              setSearchText(event.target.value);
              setCurrent(null);
              setSearchState({ kind: 'idle' });
            }}
            onKeyDown={(event) => {
              if (event.key === 'Enter') {
                event.preventDefault();
                void find(event.shiftKey ? 'previous' : 'next');
              } else if (event.key === 'Escape') {
                event.preventDefault();
                clearSearch();
              }
            }}
          />
          <label className="flex items-center gap-1 text-xs" title="Regular expression">
            <input type="checkbox" checked={regex} onChange={(e) => setRegex(e.target.checked)} /> .*
          </label>
          <label className="flex items-center gap-1 text-xs" title="Match case">
            <input
              type="checkbox"
              checked={caseSensitive}
              onChange={(e) => setCaseSensitive(e.target.checked)}
            />{' '}
            Aa
          </label>
          <button
            type="button"
            className={smallButton}
            aria-label="Previous match"
            onClick={() => void find('previous')}
          >
            ↑
          </button>
          <button
            type="button"
            className={smallButton}
            aria-label="Next match"
            onClick={() => void find('next')}
          >
            ↓
          </button>
          <span
            className="min-w-[7rem] shrink-0 text-right text-xs text-slate-500"
            data-testid="log-search-status"
            aria-live="polite"
          >
            {searchState.kind === 'searching'
              ? 'searching…'
              : searchState.kind === 'none'
                ? searchState.message
                : debounced && count.isSuccess
                  ? `${count.data.complete ? '' : '≥ '}${count.data.count.toLocaleString()} matching line${count.data.count === 1 ? '' : 's'}`
                  : ''}
          </span>
        </div>
        <div className="flex flex-wrap items-center gap-2">
          <button
            type="button"
            className={smallButton}
            data-testid="log-follow"
            onClick={() => (following ? setFollowing(false) : resume())}
          >
            {following ? 'Pause' : 'Follow'}
          </button>
          <span className="text-xs text-slate-500" data-testid="log-follow-state">
            {following && followFrom && followState.status !== 'error' ? '● following' : 'paused'}
          </span>
          <select
            aria-label="Lines from the end"
            className={inputClass}
            value={tail}
            onChange={(e) => setTail(Number(e.target.value))}
          >
            {TAILS.map((n) => (
              <option key={n} value={n}>
                last {n.toLocaleString()}
              </option>
            ))}
          </select>
          <select
            aria-label="Streams"
            className={inputClass}
            value={streams}
            onChange={(e) => setStreams(e.target.value as typeof streams)}
          >
            <option value="both">stdout + stderr</option>
            <option value="stdout">stdout</option>
            <option value="stderr">stderr</option>
          </select>
          <TimeInput label="Since" value={since} onCommit={setSince} />
          <TimeInput label="Until" value={until} onCommit={setUntil} />
          <label className="flex items-center gap-1 text-xs">
            <input type="checkbox" checked={showTime} onChange={(e) => setShowTime(e.target.checked)} />{' '}
            Timestamps
          </label>
          <a href={download} download data-testid="log-download" className={smallButton}>
            Download
          </a>
        </div>
      </div>
      {(log.error || searchState.kind === 'error' || count.error) && (
        <ErrorNote>
          {log.error ?? (searchState.kind === 'error' ? searchState.message : count.error?.message)}
        </ErrorNote>
      )}
      <div className="relative">
        {firstScreenNow && (
          <div
            data-testid="log-first-screen"
            className={`${logBox} absolute inset-0 z-10 flex flex-col-reverse overflow-hidden`}
          >
            <div>
              {view.atStart && view.lines.length <= FIRST_SCREEN_LINES && (
                <div className="px-3 py-1 text-xs text-slate-400">— start of the log —</div>
              )}
              {view.lines.slice(-FIRST_SCREEN_LINES).map((line) => (
                <LogLineView
                  key={`${line.cursor.ino}:${line.cursor.offset}`}
                  line={line}
                  showTime={showTime}
                  current={false}
                  ranges={[]}
                />
              ))}
            </div>
          </div>
        )}
        <div
          ref={scrollRef}
          onScroll={onScroll}
          data-testid="log-scroll"
          className={`${logBox} overflow-auto`}
        >
          {view.atStart && view.lines.length > 0 && (
            <div className="px-3 py-1 text-xs text-slate-400" data-testid="log-start">
              — start of the log —
            </div>
          )}
          {log.loading === 'older' && (
            <div className="px-3 py-1 text-xs text-slate-400">loading older lines…</div>
          )}
          {view.lines.length === 0 && log.loading === null && !log.error && (
            <p className="p-4 text-sm text-slate-500">
              {filter.since || filter.until || streams !== 'both'
                ? 'No lines match these filters. Clear since/until or show both streams.'
                : 'The container has written nothing yet. New lines appear here while following.'}
            </p>
          )}
          {view.lines.length === 0 && log.loading === 'initial' && (
            <p className="p-4 text-sm text-slate-500">Loading the log…</p>
          )}
          <div style={{ height: virtualizer.getTotalSize(), position: 'relative', minWidth: '100%' }}>
            {items.map((item) => {
              const line = view.lines[item.index] as LogViewLine;
              const isCurrent =
                current !== null &&
                current.cursor.ino === line.cursor.ino &&
                current.cursor.offset === line.cursor.offset;
              return (
                <div
                  key={`${line.cursor.ino}:${line.cursor.offset}`}
                  style={{
                    position: 'absolute',
                    top: 0,
                    left: 0,
                    minWidth: '100%',
                    transform: `translateY(${item.start}px)`,
                  }}
                >
                  <LogLineView
                    line={line}
                    showTime={showTime}
                    current={isCurrent}
                    ranges={matcher ? matcher.ranges(stripAnsi(line.text), 50) : []}
                  />
                </div>
              );
            })}
          </div>
        </div>
      </div>
    </div>
  );
}

function TimeInput({
  label,
  value,
  onCommit,
}: {
  label: string;
  value: string;
  onCommit: (v: string) => void;
}) {
  const [draft, setDraft] = useState(value);
  return (
    <input
      aria-label={label}
      placeholder={`${label} (10m, RFC 3339)`}
      value={draft}
      // Wide enough for its hint; on a phone the two share a row instead of cutting it off.
      className={`${inputClass} min-w-40 flex-1 sm:w-48 sm:flex-none`}
      onChange={(e) => setDraft(e.target.value)}
      onBlur={() => onCommit(draft)}
      onKeyDown={(e) => {
        if (e.key === 'Enter') onCommit(draft);
      }}
    />
  );
}
