'use client';

import { type LogViewFilter, type LogViewLine, stripAnsi } from '@stevedore/shared';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { ErrorNote } from '../ui';
import { LogControls, type LogStreams } from './log-controls';
import { FIRST_TAIL, type FirstLogPage } from './log-first-page';
import { LogFirstScreen } from './log-first-screen';
import { LogLineView } from './log-line';
import { LogSearchBar } from './log-search-bar';
import { logBox, ROW_PX } from './log-viewer-styles';
import { useLogFollow } from './use-log-follow';
import { useLogSearch } from './use-log-search';
import { useLogWindow } from './use-log-window';

/**
 * One container's whole log: a virtualised, bounded window (see use-log-window.ts) that follows
 * new lines (use-log-follow.ts), pages back by scrolling up to line 1, and finds matches anywhere in
 * the log with the agent's server-side search (use-log-search.ts: Enter / Shift+Enter, Esc clears).
 * With `first` (the last lines, read by the server for the page's HTML) it starts from them: no
 * second read, following from their end.
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
  const [tail, setTail] = useState<number>(FIRST_TAIL);
  const [streams, setStreams] = useState<LogStreams>('both');
  const [since, setSince] = useState('');
  const [until, setUntil] = useState('');
  const [showTime, setShowTime] = useState(false);
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

  const { following, setFollowing, onScroll, followingShown } = useLogFollow({
    hostId,
    containerId,
    filter,
    log,
    scrollRef,
  });
  const stopFollowing = useCallback(() => setFollowing(false), [setFollowing]);
  const search = useLogSearch({
    hostId,
    containerId,
    filter,
    log,
    scrollRef,
    virtualizer,
    onFound: stopFollowing,
  });
  const { current, matcher } = search;

  const resume = () => {
    setFollowing(true);
    if (!view.atEnd) void log.loadTail(tail);
  };

  // The server-rendered last lines stay on screen until the virtualised view, mounted and scrolled
  // to the end, shows the same lines: never both at once.
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
        <LogSearchBar search={search} />
        <LogControls
          following={following}
          followingShown={followingShown}
          onToggleFollow={() => (following ? setFollowing(false) : resume())}
          tail={tail}
          onTail={setTail}
          streams={streams}
          onStreams={setStreams}
          since={since}
          onSince={setSince}
          until={until}
          onUntil={setUntil}
          showTime={showTime}
          onShowTime={setShowTime}
          downloadHref={download}
        />
      </div>
      {(log.error || search.searchState.kind === 'error' || search.count.error) && (
        <ErrorNote>
          {log.error ??
            (search.searchState.kind === 'error' ? search.searchState.message : search.count.error?.message)}
        </ErrorNote>
      )}
      <div className="relative">
        {firstScreenNow && <LogFirstScreen lines={view.lines} atStart={view.atStart} showTime={showTime} />}
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
