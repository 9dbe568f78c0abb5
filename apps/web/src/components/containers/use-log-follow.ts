'use client';

import type { LogViewFilter, LogViewLine } from '@stevedore/shared';
import { useSubscription } from '@trpc/tanstack-react-query';
import { type RefObject, useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';
import { useTRPC } from '~/trpc/react';
import { ROW_PX } from './log-viewer-styles';
import type { useLogWindow } from './use-log-window';

/**
 * Following and scrolling: new lines from the window's end while the window reaches the end, the
 * view stuck to the bottom while following (moving up pauses it), kept in place when lines are
 * added or dropped above it, and paging older/newer as the reader nears an edge.
 */
export function useLogFollow({
  hostId,
  containerId,
  filter,
  log,
  scrollRef,
}: {
  hostId: string;
  containerId: string;
  filter: LogViewFilter;
  log: ReturnType<typeof useLogWindow>;
  scrollRef: RefObject<HTMLDivElement | null>;
}) {
  const trpc = useTRPC();
  const view = log.window;
  const [following, setFollowing] = useState(true);
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
  }, [following, view.atStart, view.atEnd, log, scrollRef]);

  return {
    following,
    setFollowing,
    onScroll,
    /** "● following": the subscription is on and has not failed. */
    followingShown: following && followFrom !== null && followState.status !== 'error',
  };
}
