'use client';

import { countOf, parseLabelSelector, selectorMatches } from '@stevedore/shared';
import { useMemo, useState } from 'react';
import type { ContainerListRow } from '~/components/containers/use-container-fleet';

const inputClass =
  'block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm shadow-sm focus:border-sky-500 focus:outline-none focus:ring-1 focus:ring-sky-500 dark:border-slate-700 dark:bg-slate-900';

/** The live count of containers a selector matches now, from the fleet's containers list. */
export function useSelectorMatches(rows: readonly ContainerListRow[] | null, selector: string) {
  return useMemo(() => {
    if (!selector.trim()) return { error: null, matched: [] as ContainerListRow[] };
    try {
      const terms = parseLabelSelector(selector);
      return { error: null, matched: (rows ?? []).filter((row) => selectorMatches(row.labels, terms)) };
    } catch (error) {
      return { error: (error as Error).message, matched: [] as ContainerListRow[] };
    }
  }, [rows, selector]);
}

export function SelectorInput({
  rows,
  selector,
  onChange,
}: {
  rows: readonly ContainerListRow[] | null;
  selector: string;
  onChange: (selector: string) => void;
}) {
  const { error, matched } = useSelectorMatches(rows, selector);
  const hosts = new Set(matched.map((row) => row.hostId)).size;
  return (
    <div className="space-y-1">
      <label htmlFor="preset-selector" className="block text-sm font-medium">
        Label selector
      </label>
      <input
        id="preset-selector"
        className={inputClass}
        value={selector}
        onChange={(event) => onChange(event.target.value)}
        placeholder="tier=web, env!=prod"
        autoComplete="off"
        spellCheck={false}
        aria-invalid={error !== null}
        aria-describedby="preset-selector-count"
      />
      <p
        id="preset-selector-count"
        className="text-xs text-slate-600 dark:text-slate-400"
        data-testid="selector-count"
        aria-live="polite"
      >
        {error ??
          (rows === null
            ? 'Loading the containers…'
            : selector.trim()
              ? `Matches ${countOf(matched.length, 'container')} on ${countOf(hosts, 'host')} now`
              : 'key, key=value or key!=value, separated by commas; every term must hold')}
      </p>
    </div>
  );
}

/** Containers picked one by one from the fleet's list, narrowed by a text filter. */
export function ContainerPicker({
  rows,
  picked,
  onChange,
}: {
  rows: readonly ContainerListRow[] | null;
  picked: ReadonlySet<string>;
  onChange: (picked: Set<string>) => void;
}) {
  const [text, setText] = useState('');
  const shown = useMemo(() => {
    const needle = text.trim().toLowerCase();
    return (rows ?? [])
      .filter(
        (row) =>
          !needle ||
          row.name.toLowerCase().includes(needle) ||
          row.hostName.toLowerCase().includes(needle) ||
          row.image.toLowerCase().includes(needle),
      )
      .sort((a, b) => a.hostName.localeCompare(b.hostName) || a.name.localeCompare(b.name))
      .slice(0, 200);
  }, [rows, text]);
  const toggle = (key: string, on: boolean) => {
    const next = new Set(picked);
    if (on) next.add(key);
    else next.delete(key);
    onChange(next);
  };
  return (
    <div className="space-y-2">
      <label htmlFor="preset-pick-filter" className="block text-sm font-medium">
        Containers ({picked.size} picked)
      </label>
      <input
        id="preset-pick-filter"
        className={inputClass}
        value={text}
        onChange={(event) => setText(event.target.value)}
        placeholder="filter by name, host or image"
        autoComplete="off"
      />
      <fieldset
        aria-label="Pick containers"
        className="max-h-64 space-y-1 overflow-y-auto rounded-md border border-slate-200 p-2 text-sm dark:border-slate-700"
      >
        {rows === null && <p className="text-slate-500">Loading the containers…</p>}
        {rows !== null && shown.length === 0 && <p className="text-slate-500">No container matches.</p>}
        {shown.map((row) => (
          <label key={row.key} className="flex items-center gap-2">
            <input
              type="checkbox"
              checked={picked.has(row.key)}
              onChange={(event) => toggle(row.key, event.target.checked)}
            />
            <span className="min-w-0 truncate">
              <span className="font-medium">{row.name}</span>{' '}
              <span className="text-xs text-slate-500">
                {row.hostName} · {row.state}
              </span>
            </span>
          </label>
        ))}
      </fieldset>
    </div>
  );
}
