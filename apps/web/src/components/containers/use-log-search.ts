'use client';

import {
  compileLogSearch,
  type LogCursor,
  type LogMatcher,
  type LogSearchQuery,
  type LogViewFilter,
  type LogViewLine,
} from '@stevedore/shared';
import { useQuery } from '@tanstack/react-query';
import type { Virtualizer } from '@tanstack/react-virtual';
import { type RefObject, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useTRPC, useTRPCClient } from '~/trpc/react';
import { ROW_PX } from './log-viewer-styles';
import type { useLogWindow } from './use-log-window';

/** Search calls chained while the agent says "go on from here" before the viewer asks the user. */
const MAX_SEARCH_ROUNDS = 40;

export interface LogSearchState {
  kind: 'idle' | 'searching' | 'none' | 'error';
  message?: string;
}

/**
 * The log's server-side search: the query typed, its match count, the highlighter (once the agent
 * ran the expression without trouble) and `find` to the next or previous match anywhere in the log,
 * chaining the agent's time-budgeted calls and wrapping once like a browser's find.
 */
export function useLogSearch({
  hostId,
  containerId,
  filter,
  log,
  scrollRef,
  virtualizer,
  onFound,
}: {
  hostId: string;
  containerId: string;
  filter: LogViewFilter;
  log: ReturnType<typeof useLogWindow>;
  scrollRef: RefObject<HTMLDivElement | null>;
  virtualizer: Virtualizer<HTMLDivElement, Element>;
  /** A match was found (the view stops following to show it). */
  onFound: () => void;
}) {
  const trpc = useTRPC();
  const client = useTRPCClient();
  const view = log.window;
  const [searchText, setSearchText] = useState('');
  const [regex, setRegex] = useState(false);
  const [caseSensitive, setCaseSensitive] = useState(false);
  const [current, setCurrent] = useState<LogViewLine | null>(null);
  const [searchState, setSearchState] = useState<LogSearchState>({ kind: 'idle' });
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
  // The query a search call ran to its end on the agent (found a match or none).
  const [searched, setSearched] = useState<LogSearchQuery | null>(null);
  // Matches are highlighted only once the agent ran the expression without trouble (its count, or a
  // search that came back first): a costly one is stopped there, and must not freeze the tab here.
  const proven = searched !== null && searched === query ? searched : count.isSuccess ? debounced : null;
  const matcher: LogMatcher | null = useMemo(() => {
    if (!proven) return null;
    try {
      return compileLogSearch(proven);
    } catch {
      return null;
    }
  }, [proven]);

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
          setSearched(query);
          if (result.match) {
            onFound();
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
    [query, view.lines, current, client, hostId, containerId, filter, log, virtualizer, scrollRef, onFound],
  );

  const clearSearch = () => {
    searchToken.current++;
    setSearchText('');
    setCurrent(null);
    setSearchState({ kind: 'idle' });
  };
  /** The text typed: the old match and status no longer apply. */
  const changeText = (text: string) => {
    setSearchText(text);
    setCurrent(null);
    setSearchState({ kind: 'idle' });
  };

  return {
    searchText,
    changeText,
    regex,
    setRegex,
    caseSensitive,
    setCaseSensitive,
    current,
    searchState,
    debounced,
    count,
    matcher,
    find,
    clearSearch,
  };
}
