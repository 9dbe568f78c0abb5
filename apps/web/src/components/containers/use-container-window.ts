'use client';

import type {
  ContainerFilters,
  ContainerSort,
  ContainerWindowUpdate,
  FleetFirstScreen,
} from '@stevedore/shared';
import { useMutation } from '@tanstack/react-query';
import { useSubscription } from '@trpc/tanstack-react-query';
import { useEffect, useMemo, useRef, useState } from 'react';
import { useTRPC } from '~/trpc/react';
import { applyWindowUpdate, initialWindow, type WindowState } from './container-window-state';
import type { ContainerListRow } from './fleet-update';

export interface WindowRequest {
  filters: ContainerFilters;
  sort: ContainerSort | null;
  start: number;
  end: number;
}

function newWindowId(): string {
  let id = '';
  for (let i = 0; i < 4; i++) id += Math.floor(Math.random() * 2 ** 32).toString(36);
  return id.padEnd(8, '0');
}

/**
 * The containers list as a window kept by the server: it filters and sorts the whole list and
 * sends only the rows of `request` (and their usage), as deltas. A changed request moves the same
 * subscription's window. With `first` (the server's first screen, already in the HTML) it starts
 * from those rows, and the server does not send them again while they are unchanged. Updates are
 * rendered at most once per animation frame.
 */
export function useContainerWindow(
  hostId: string | undefined,
  first: FleetFirstScreen | null | undefined,
  request: WindowRequest,
): {
  state: WindowState;
  /** The window's rows by key (objects rebuilt only when rows change; `usage` reads the live figures). */
  rows: Map<string, ContainerListRow>;
  /** Bumped once per usage tick. */
  usageVersion: number;
  error: string | null;
  /** The first live update has come. */
  live: boolean;
} {
  const trpc = useTRPC();
  const state = useRef<WindowState | null>(null);
  state.current ??= initialWindow(first);
  const seq = useRef(0);
  // The subscription's input is fixed at mount: later requests move its window instead.
  const [input, setInput] = useState(() => ({
    windowId: newWindowId(),
    ...(hostId ? { hostId } : {}),
    view: { ...request, seq: 0 },
    known: first?.fingerprints ?? ({} as Record<string, string>),
  }));
  const move = useMutation(trpc.containers.fleet.moveWindow.mutationOptions());
  const sentRequest = useRef(JSON.stringify(request));
  const live = useRef(false);
  useEffect(() => {
    const key = JSON.stringify(request);
    if (key === sentRequest.current) return;
    sentRequest.current = key;
    seq.current += 1;
    const view = { ...request, seq: seq.current };
    move.mutate(
      { windowId: input.windowId, view },
      {
        // The window lives on another server process (a cluster without sticky sessions), or is
        // gone: a new subscription with this view takes over.
        onSuccess: ({ moved }) => {
          if (!moved && live.current && seq.current === view.seq)
            setInput((old) => ({ ...old, windowId: newWindowId(), view: { ...view, seq: 0 }, known: {} }));
        },
      },
    );
  }, [request, input.windowId, move.mutate]);

  const [rowsVersion, setRowsVersion] = useState(0);
  const [usageVersion, setUsageVersion] = useState(0);
  const [isLive, setLive] = useState(false);
  const pending = useRef<{ rows: boolean; usage: boolean; frame: number | null }>({
    rows: false,
    usage: false,
    frame: null,
  });
  useEffect(
    () => () => {
      if (pending.current.frame !== null) cancelAnimationFrame(pending.current.frame);
    },
    [],
  );
  const subscription = useSubscription(
    trpc.containers.fleet.window.subscriptionOptions(input, {
      onData: (update: ContainerWindowUpdate) => {
        const current = state.current;
        if (!current) return;
        applyWindowUpdate(current, update);
        const next = pending.current;
        if (update.keys || update.rows.length > 0 || update.facets) next.rows = true;
        // Counts and the window's start re-render with the rows.
        else if (Object.keys(update.usage).length === 0) next.rows = true;
        if (Object.keys(update.usage).length > 0) next.usage = true;
        next.frame ??= requestAnimationFrame(() => {
          next.frame = null;
          if (next.rows) setRowsVersion((v) => v + 1);
          if (next.usage) setUsageVersion((v) => v + 1);
          live.current = true;
          setLive(true);
          next.rows = false;
          next.usage = false;
        });
      },
    }),
  );
  // biome-ignore lint/correctness/useExhaustiveDependencies: rowsVersion is the signal that rows changed
  const rows = useMemo(() => {
    const current = state.current as WindowState;
    const usage = current.usage;
    const out = new Map<string, ContainerListRow>();
    for (const row of current.rows.values())
      out.set(
        row.key,
        Object.defineProperty({ ...row }, 'usage', {
          get: () => usage.get(row.key) ?? null,
          enumerable: true,
        }) as ContainerListRow,
      );
    return out;
  }, [rowsVersion]);
  return {
    state: state.current,
    rows,
    usageVersion,
    error: subscription.error?.message ?? null,
    live: isLive,
  };
}
