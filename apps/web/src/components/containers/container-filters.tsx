'use client';

import {
  type ContainerFacets,
  type ContainerFilters,
  ContainerStatusSchema,
  HEALTH_FILTER_VALUES,
  NO_CONTAINER_FILTERS,
} from '@stevedore/shared';
import Link from 'next/link';

export type { ContainerFilters };
export const NO_FILTERS: ContainerFilters = NO_CONTAINER_FILTERS;

/** One height for boxes and selects, so the labels of the bar line up. */
const inputClass =
  'h-9 rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm shadow-sm focus:border-sky-500 focus:outline-none focus:ring-1 focus:ring-sky-500 dark:border-slate-700 dark:bg-slate-900';

/** The filter bar; its choices (hosts, images, labels) are the server's, over the whole list. */
export function ContainerToolbar({
  facets,
  filters,
  onChange,
  showHost,
  runHref,
}: {
  facets: ContainerFacets;
  filters: ContainerFilters;
  onChange: (filters: ContainerFilters) => void;
  showHost: boolean;
  /** Where "Run container" goes; null hides it (viewers). */
  runHref: string | null;
}) {
  const { hosts, images, labels } = facets;
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
