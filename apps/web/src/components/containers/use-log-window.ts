'use client';

import type { LogCursor, LogViewFilter, LogViewLine } from '@stevedore/shared';
import { useCallback, useMemo, useRef, useState } from 'react';
import { useTRPCClient } from '~/trpc/react';
import type { FirstLogPage } from './log-first-page';

/** Lines kept in the browser: pages beyond this are dropped at the far end (re-read on scroll). */
export const MAX_WINDOW_LINES = 3000;
export const PAGE_LINES = 500;

export interface LogWindow {
  lines: LogViewLine[];
  /** Where the next older page starts (null: nothing loaded yet). */
  before: LogCursor | null;
  /** Where newer lines start (null: the end of the log, as when it was empty). */
  after: LogCursor | null;
  atStart: boolean;
  atEnd: boolean;
}

const empty: LogWindow = { lines: [], before: null, after: null, atStart: false, atEnd: false };
const sameCursor = (a: LogCursor, b: LogCursor) =>
  a.ino === b.ino && a.offset === b.offset && a.head === b.head;

/**
 * A bounded window onto a container's whole log: loaded from the end (tail N), extended by pages
 * on either side as the view scrolls, re-centred on a search match, appended to while following.
 * Whatever falls outside MAX_WINDOW_LINES is dropped and read again by cursor when needed.
 */
export function useLogWindow(
  hostId: string,
  container: string,
  filter: LogViewFilter,
  /** The last lines as the server rendered them: the window starts there instead of loading. */
  first: FirstLogPage | null = null,
) {
  const client = useTRPCClient();
  const [window, setWindow] = useState<LogWindow>(() => (first ? tailWindow(first) : empty));
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState<'initial' | 'older' | 'newer' | 'jump' | null>(
    first ? null : 'initial',
  );
  const busy = useRef(false);
  /** Rows added (+) or removed (−) above what is on screen by the last change: the view scrolls by it. */
  const shiftAbove = useRef(0);
  const generation = useRef(0);
  const windowRef = useRef(window);
  windowRef.current = window;
  const base = useMemo(() => ({ hostId, container, ...filter }), [hostId, container, filter]);

  const run = useCallback(
    async (kind: 'initial' | 'older' | 'newer' | 'jump', fn: (gen: number) => Promise<void>) => {
      if (busy.current && kind !== 'initial' && kind !== 'jump') return;
      busy.current = true;
      const gen = ++generation.current;
      setLoading(kind);
      try {
        await fn(gen);
        setError(null);
      } catch (cause) {
        if (gen === generation.current) setError(cause instanceof Error ? cause.message : String(cause));
      } finally {
        if (gen === generation.current) {
          busy.current = false;
          setLoading(null);
        }
      }
    },
    [],
  );

  const loadTail = useCallback(
    (tail: number) =>
      run('initial', async (gen) => {
        const page = await client.containers.logs.page.query({
          ...base,
          from: 'end',
          direction: 'backward',
          limit: tail,
        });
        if (gen !== generation.current) return;
        setWindow(tailWindow(page));
      }),
    [client, run, base],
  );

  const loadOlder = useCallback(
    () =>
      run('older', async (gen) => {
        const current = windowRef.current;
        if (current.atStart || !current.before) return;
        const page = await client.containers.logs.page.query({
          ...base,
          from: current.before,
          direction: 'backward',
          limit: PAGE_LINES,
        });
        if (gen !== generation.current) return;
        setWindow((w) => {
          const lines = [...page.lines, ...w.lines];
          shiftAbove.current += page.lines.length;
          if (lines.length <= MAX_WINDOW_LINES)
            return { ...w, lines, before: page.before, atStart: page.atStart };
          const kept = lines.slice(0, MAX_WINDOW_LINES);
          return {
            lines: kept,
            before: page.before,
            atStart: page.atStart,
            after: kept.at(-1)?.next ?? w.after,
            atEnd: false,
          };
        });
      }),
    [client, run, base],
  );

  const loadNewer = useCallback(
    () =>
      run('newer', async (gen) => {
        const current = windowRef.current;
        if (current.atEnd || !current.after) return;
        const page = await client.containers.logs.page.query({
          ...base,
          from: current.after,
          direction: 'forward',
          limit: PAGE_LINES,
        });
        if (gen !== generation.current) return;
        setWindow((w) => appendTo(w, page.lines, page.after, page.atEnd, shiftAbove));
      }),
    [client, run, base],
  );

  /** Followed lines: appended when the window reaches the end (else they are read by scrolling). */
  const appendFollowed = useCallback((lines: LogViewLine[], after: LogCursor) => {
    setWindow((w) => {
      if (!w.atEnd) return w;
      const last = w.lines.at(-1);
      const fresh = last
        ? lines.filter((line) => !w.lines.length || !sameCursor(line.cursor, last.cursor))
        : lines;
      return appendTo(w, fresh, after, true, shiftAbove);
    });
  }, []);

  /** Re-centres the window on a line (a search match): lines before and after it. Returns its index. */
  const jumpTo = useCallback(
    async (line: LogViewLine): Promise<number> => {
      const inWindow = windowRef.current.lines.findIndex((l) => sameCursor(l.cursor, line.cursor));
      if (inWindow !== -1) return inWindow;
      let index = -1;
      await run('jump', async (gen) => {
        const [older, newer] = await Promise.all([
          client.containers.logs.page.query({
            ...base,
            from: line.cursor,
            direction: 'backward',
            limit: PAGE_LINES / 2,
          }),
          client.containers.logs.page.query({
            ...base,
            from: line.cursor,
            direction: 'forward',
            limit: PAGE_LINES / 2,
          }),
        ]);
        if (gen !== generation.current) return;
        index = older.lines.length;
        setWindow({
          lines: [...older.lines, ...newer.lines],
          before: older.before,
          atStart: older.atStart,
          after: newer.after,
          atEnd: newer.atEnd,
        });
      });
      return index;
    },
    [client, run, base],
  );

  return { window, error, loading, loadTail, loadOlder, loadNewer, appendFollowed, jumpTo, shiftAbove };
}

/** The window onto the log's last lines (read backward from the end). */
function tailWindow(page: FirstLogPage): LogWindow {
  const last = page.lines.at(-1);
  return {
    lines: page.lines,
    before: page.before,
    after: last ? last.next : null,
    atStart: page.atStart,
    atEnd: true,
  };
}

function appendTo(
  w: LogWindow,
  added: LogViewLine[],
  after: LogCursor,
  atEnd: boolean,
  shiftAbove: { current: number },
): LogWindow {
  const lines = added.length > 0 ? [...w.lines, ...added] : w.lines;
  if (lines.length <= MAX_WINDOW_LINES) return { ...w, lines, after, atEnd };
  const dropped = lines.length - MAX_WINDOW_LINES;
  shiftAbove.current -= dropped;
  const kept = lines.slice(dropped);
  return { lines: kept, before: kept[0]?.cursor ?? w.before, atStart: false, after, atEnd };
}
