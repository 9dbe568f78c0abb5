'use client';

import { ContainerStatusSchema, HEALTH_FILTER_VALUES } from '@stevedore/shared';
import Link from 'next/link';
import { useMemo } from 'react';
import type { ContainerListRow } from './use-container-fleet';

export interface ContainerFilters {
  /** Matches name, image, host, id prefix and labels. */
  text: string;
  hostId: string;
  state: string;
  image: string;
  /** `key` or `key=value`. */
  label: string;
  /** healthy / unhealthy / starting, `none` for no healthcheck; '' for any (`ps --filter health=`). */
  health?: string;
}

export const NO_FILTERS: ContainerFilters = {
  text: '',
  hostId: '',
  state: '',
  image: '',
  label: '',
  health: '',
};

export function matchesFilters(row: ContainerListRow, filters: ContainerFilters): boolean {
  if (filters.hostId && row.hostId !== filters.hostId) return false;
  if (filters.state && row.state !== filters.state) return false;
  if (filters.image && row.image !== filters.image) return false;
  if (filters.health && (row.health ?? 'none') !== filters.health) return false;
  if (filters.label) {
    const [key = '', ...rest] = filters.label.split('=');
    const value = rest.join('=');
    const actual = row.labels[key.trim()];
    if (actual === undefined || (rest.length > 0 && actual !== value.trim())) return false;
  }
  const text = filters.text.trim().toLowerCase();
  if (!text) return true;
  return (
    row.name.toLowerCase().includes(text) ||
    row.image.toLowerCase().includes(text) ||
    row.hostName.toLowerCase().includes(text) ||
    row.id.startsWith(text) ||
    Object.entries(row.labels).some(([k, v]) => `${k}=${v}`.toLowerCase().includes(text))
  );
}

/** One height for boxes and selects, so the labels of the bar line up. */
const inputClass =
  'h-9 rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm shadow-sm focus:border-sky-500 focus:outline-none focus:ring-1 focus:ring-sky-500 dark:border-slate-700 dark:bg-slate-900';

export function ContainerToolbar({
  rows,
  filters,
  onChange,
  showHost,
  runHref,
}: {
  rows: ContainerListRow[];
  filters: ContainerFilters;
  onChange: (filters: ContainerFilters) => void;
  showHost: boolean;
  /** Where "Run container" goes; null hides it (viewers). */
  runHref: string | null;
}) {
  const { hosts, images, labels } = useMemo(() => {
    const hosts = new Map<string, string>();
    const images = new Set<string>();
    const labels = new Set<string>();
    for (const row of rows) {
      hosts.set(row.hostId, row.hostName);
      images.add(row.image);
      for (const [key, value] of Object.entries(row.labels))
        if (labels.size < 500) labels.add(`${key}=${value}`);
    }
    return {
      hosts: [...hosts].sort((a, b) => a[1].localeCompare(b[1])),
      images: [...images].sort(),
      labels: [...labels].sort(),
    };
  }, [rows]);
  const set = (change: Partial<ContainerFilters>) => onChange({ ...filters, ...change });
  const active = Object.values(filters).some((value) => value !== '');
  return (
    <search className="flex flex-wrap items-end gap-2" aria-label="Filter containers">
      <label className="flex min-w-[12rem] flex-1 flex-col gap-0.5 text-xs font-medium text-slate-600 dark:text-slate-300">
        Search
        <input
          type="search"
          className={inputClass}
          placeholder="name, image, host, label, id…"
          value={filters.text}
          onChange={(event) => set({ text: event.target.value })}
        />
      </label>
      {showHost && (
        <FilterSelect
          label="Host"
          any="All hosts"
          value={filters.hostId}
          options={hosts}
          onChange={(hostId) => set({ hostId })}
        />
      )}
      <FilterSelect
        label="State"
        any="Any state"
        value={filters.state}
        options={ContainerStatusSchema.options.map((state) => [state, state])}
        onChange={(state) => set({ state })}
      />
      <FilterSelect
        label="Health"
        any="Any health"
        value={filters.health ?? ''}
        options={HEALTH_FILTER_VALUES.map((health) => [
          health,
          health === 'none' ? 'no healthcheck' : health,
        ])}
        onChange={(health) => set({ health })}
      />
      <FilterSelect
        label="Image"
        any="Any image"
        value={filters.image}
        options={images.map((image) => [image, image])}
        onChange={(image) => set({ image })}
        className="max-w-[14rem]"
      />
      <label className="flex flex-col gap-0.5 text-xs font-medium text-slate-600 dark:text-slate-300">
        Label
        <input
          className={`${inputClass} w-40`}
          list="container-label-options"
          placeholder="key or key=value"
          value={filters.label}
          onChange={(event) => set({ label: event.target.value })}
        />
        <datalist id="container-label-options">
          {labels.map((label) => (
            <option key={label} value={label} />
          ))}
        </datalist>
      </label>
      {active && (
        <button
          type="button"
          onClick={() => onChange(NO_FILTERS)}
          className="rounded px-2 py-1.5 text-sm text-slate-600 hover:underline focus-visible:outline focus-visible:outline-2 focus-visible:outline-sky-500 dark:text-slate-300"
        >
          Clear filters
        </button>
      )}
      {runHref && (
        <Link
          href={runHref}
          className="ml-auto inline-flex items-center rounded-md bg-sky-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-sky-700 focus-visible:outline focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-500"
        >
          Run container
        </Link>
      )}
    </search>
  );
}

/** One of the filter bar's choices: "any" first, then the options as [value, label]. */
function FilterSelect({
  label,
  any,
  value,
  options,
  onChange,
  className = '',
}: {
  label: string;
  any: string;
  value: string;
  options: readonly (readonly [string, string])[];
  onChange(value: string): void;
  className?: string;
}) {
  return (
    <label className="flex max-w-full flex-col gap-0.5 text-xs font-medium text-slate-600 dark:text-slate-300">
      {label}
      <select
        className={`${inputClass} ${className}`}
        value={value}
        onChange={(event) => onChange(event.target.value)}
      >
        <option value="">{any}</option>
        {options.map(([optionValue, optionLabel]) => (
          <option key={optionValue} value={optionValue}>
            {optionLabel}
          </option>
        ))}
      </select>
    </label>
  );
}
