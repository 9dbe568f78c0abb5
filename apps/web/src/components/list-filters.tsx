'use client';

import { useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useTRPC } from '~/trpc/react';

/** A filter bar's select or text box. */
export const filterInputClass =
  'rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm dark:border-slate-700 dark:bg-slate-900';

/**
 * A list's filter, edited one field at a time (an empty or blank value drops the field), and the
 * same filter once it has stopped changing for `settleMs` — what the list queries with, so typing
 * refetches once, not on every key.
 */
export function useListFilter<F extends Record<string, string | undefined>>(settleMs = 300) {
  const [filter, setFilter] = useState<F>({} as F);
  const applied = useDebounced(filter, settleMs);
  const set = (key: keyof F, value: string | undefined) =>
    setFilter(({ [key]: _, ...rest }) => (value?.trim() ? { ...rest, [key]: value.trim() } : rest) as F);
  return { applied, set };
}

/** Every host the user may see, or all of them. */
export function HostFilter({ onChange }: { onChange(hostId: string): void }) {
  const trpc = useTRPC();
  const hosts = useQuery(trpc.hosts.list.queryOptions());
  return (
    <select aria-label="Host" className={filterInputClass} onChange={(e) => onChange(e.target.value)}>
      <option value="">All hosts</option>
      {hosts.data?.map((host) => (
        <option key={host.id} value={host.id}>
          {host.name}
        </option>
      ))}
    </select>
  );
}

/** `value`, once it has stopped changing for `ms`. */
function useDebounced<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}
