'use client';

import { type ReactNode, useState } from 'react';
import { looksSecret } from './overview-secrets';

/** A titled card of the overview; `empty` is said when there is nothing to list. */
export function Section({
  title,
  children,
  empty,
}: {
  title: string;
  children?: ReactNode;
  empty?: string | false;
}) {
  const id = `section-${title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
  return (
    <section
      aria-labelledby={id}
      className="min-w-0 rounded-lg border border-slate-200 bg-white p-4 dark:border-slate-800 dark:bg-slate-900"
    >
      <h2 id={id} className="mb-2 text-sm font-semibold uppercase tracking-wide text-slate-500">
        {title}
      </h2>
      {empty ? <p className="text-sm text-slate-500">{empty}</p> : children}
    </section>
  );
}

/** Label / value rows, stacked on a phone, two columns from `sm` up. */
export function Facts({ rows }: { rows: [string, ReactNode][] }) {
  return (
    <dl className="grid grid-cols-1 gap-x-4 text-sm sm:grid-cols-[10rem_1fr]">
      {rows.map(([label, value]) => (
        <div key={label} className="contents">
          <dt className="pt-1 text-slate-500">{label}</dt>
          <dd className="break-all pb-1 font-mono text-xs sm:pt-1 sm:text-sm" data-field={label}>
            {value}
          </dd>
        </div>
      ))}
    </dl>
  );
}

/** The environment, one variable a row; secret-looking values masked until revealed. */
export function EnvList({ env }: { env: string[] }) {
  const [revealed, setRevealed] = useState<ReadonlySet<string>>(new Set());
  const toggle = (key: string) =>
    setRevealed((previous) => {
      const next = new Set(previous);
      if (next.has(key)) next.delete(key);
      else next.add(key);
      return next;
    });
  return (
    <ul className="divide-y divide-slate-100 text-sm dark:divide-slate-800" data-testid="env-list">
      {env.map((entry, index) => {
        const cut = entry.indexOf('=');
        const key = cut === -1 ? entry : entry.slice(0, cut);
        const value = cut === -1 ? '' : entry.slice(cut + 1);
        const secret = looksSecret(key);
        const shown = !secret || revealed.has(key);
        return (
          // biome-ignore lint/suspicious/noArrayIndexKey: an env list may repeat a key; order is stable
          <li key={index} className="flex items-start gap-2 py-1" data-env={key}>
            <span className="shrink-0 font-mono text-xs font-semibold sm:text-sm">{key}</span>
            <span className="min-w-0 flex-1 break-all font-mono text-xs text-slate-700 sm:text-sm dark:text-slate-300">
              {shown ? value : '••••••••'}
            </span>
            {secret && (
              <button
                type="button"
                onClick={() => toggle(key)}
                aria-pressed={revealed.has(key)}
                aria-label={`${revealed.has(key) ? 'Hide' : 'Reveal'} ${key}`}
                className="shrink-0 rounded px-1.5 text-xs text-sky-700 hover:bg-slate-100 focus-visible:outline focus-visible:outline-2 focus-visible:outline-sky-500 dark:text-sky-400 dark:hover:bg-slate-800"
              >
                {revealed.has(key) ? 'Hide' : 'Reveal'}
              </button>
            )}
          </li>
        );
      })}
    </ul>
  );
}

/** A small table that scrolls sideways on a phone instead of squeezing its columns. */
export function MiniTable({
  columns,
  rows,
  testId,
}: {
  columns: string[];
  rows: ReactNode[][];
  testId?: string;
}) {
  return (
    <div className="overflow-x-auto">
      <table className="min-w-full text-left text-sm" data-testid={testId}>
        <thead className="text-xs uppercase text-slate-500">
          <tr>
            {columns.map((column) => (
              <th key={column} className="py-1 pr-4 font-medium">
                {column}
              </th>
            ))}
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
          {rows.map((row, r) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: rows are derived from inspect in a fixed order
            <tr key={r}>
              {row.map((cell, c) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: fixed columns
                <td key={c} className="py-1 pr-4 align-top font-mono text-xs sm:text-sm">
                  {cell}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
