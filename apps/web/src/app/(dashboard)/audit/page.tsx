'use client';

import { type AuditEntry, type AuditFilter, ENGINE_ACTOR } from '@stevedore/shared';
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { AdminsOnly } from '~/components/admins-only';
import { HostFilter, filterInputClass as inputClass, useListFilter } from '~/components/list-filters';
import { ErrorNote, SecondaryButton } from '~/components/ui';
import { useTRPC } from '~/trpc/react';

/** The columns of a row from `md` up; below it every entry is a card. */
const gridClass = 'md:grid md:grid-cols-[9.5rem_8rem_9rem_minmax(0,1fr)_minmax(0,1fr)_5.5rem] md:gap-3';
const ACTION_GROUPS = ['container.', 'image.', 'volume.', 'network.', 'host.', 'user.', 'auth.'];

export default function AuditPage() {
  return (
    <AdminsOnly title="Audit log">
      <AuditLog />
    </AdminsOnly>
  );
}

function AuditLog() {
  const trpc = useTRPC();
  const { applied, set } = useListFilter<AuditFilter>();
  const audit = useInfiniteQuery(
    trpc.audit.list.infiniteQueryOptions(
      { ...applied, limit: 50 },
      { getNextPageParam: (page) => page.nextCursor ?? undefined },
    ),
  );
  const entries = audit.data?.pages.flatMap((page) => page.entries) ?? [];

  return (
    <section className="space-y-4">
      <h1 className="text-2xl font-semibold">Audit log</h1>
      <AuditFilters set={set} />
      {audit.isError && <ErrorNote>{audit.error.message}</ErrorNote>}
      <div
        data-testid="audit-list"
        className="rounded-lg border border-slate-200 bg-white text-sm dark:border-slate-800 dark:bg-slate-900"
      >
        <div
          aria-hidden
          className={`hidden border-b border-slate-200 px-4 py-3 text-xs font-medium uppercase text-slate-500 dark:border-slate-800 ${gridClass}`}
        >
          <span>When</span>
          <span>Who</span>
          <span>Action</span>
          <span>Host · target</span>
          <span>Parameters</span>
          <span>Result</span>
        </div>
        {audit.isPending && <p className="px-4 py-6 text-slate-500">Loading…</p>}
        {audit.isSuccess && entries.length === 0 && (
          <p className="px-4 py-6 text-slate-500">
            {Object.keys(applied).length > 0
              ? 'No entry matches these filters.'
              : 'Nothing recorded yet: actions taken in the dashboard or with the CLI on a host show here.'}
          </p>
        )}
        <ul>
          {entries.map((entry) => (
            <AuditRow key={entry.id} entry={entry} />
          ))}
        </ul>
      </div>
      {audit.hasNextPage && (
        <SecondaryButton onClick={() => audit.fetchNextPage()} disabled={audit.isFetchingNextPage}>
          {audit.isFetchingNextPage ? 'Loading…' : 'Older entries'}
        </SecondaryButton>
      )}
    </section>
  );
}

function AuditRow({ entry }: { entry: AuditEntry }) {
  // The name is shown as the target already; the rest are the action's parameters.
  const { name, ...rest } = entry.params;
  const params = JSON.stringify(name === entry.targetName ? rest : entry.params);
  const targetLabel = entry.targetName ?? shortId(entry.target);
  return (
    <li
      data-testid="audit-row"
      className={`space-y-1 border-b border-slate-100 px-4 py-2 last:border-0 md:space-y-0 dark:border-slate-800 ${gridClass}`}
    >
      <div className="flex items-baseline justify-between gap-2 md:block">
        <time dateTime={entry.at} className="shrink-0 text-xs whitespace-nowrap text-slate-500">
          {new Date(entry.at).toLocaleString()}
        </time>
        <span className="min-w-0 md:hidden">
          <Result entry={entry} />
        </span>
      </div>
      <div
        data-field="who"
        className="truncate"
        title={
          entry.source === 'engine'
            ? 'Taken on the host itself (CLI or engine API), seen in its events'
            : entry.username
        }
      >
        {entry.source === 'engine' ? (
          <span className="rounded bg-slate-100 px-1.5 py-0.5 text-xs dark:bg-slate-800">{ENGINE_ACTOR}</span>
        ) : (
          entry.username
        )}
      </div>
      <div data-field="action" className="truncate font-mono text-xs md:leading-5" title={entry.action}>
        {entry.action}
      </div>
      <div className="min-w-0 truncate">
        {entry.hostId && (
          <span
            data-field="host"
            title={`host ${entry.hostId}`}
            className="text-slate-600 dark:text-slate-300"
          >
            {entry.hostName ?? `removed host ${entry.hostId.slice(0, 8)}`}
          </span>
        )}
        {entry.hostId && entry.target && <span className="text-slate-400"> · </span>}
        {entry.target && (
          <span data-field="target" title={entry.target} className="font-medium">
            {targetLabel}
          </span>
        )}
      </div>
      <div data-field="params" className="min-w-0 truncate font-mono text-xs text-slate-500" title={params}>
        {params === '{}' ? '' : params}
      </div>
      <div className="hidden min-w-0 md:block">
        <Result entry={entry} />
      </div>
    </li>
  );
}

function Result({ entry }: { entry: AuditEntry }) {
  return entry.result === 'ok' ? (
    <span data-field="result" className="text-emerald-700 dark:text-emerald-400">
      ok
    </span>
  ) : (
    <span
      data-field="result"
      className="block truncate text-red-700 dark:text-red-400"
      title={entry.error ?? 'failed'}
    >
      error{entry.error ? `: ${entry.error}` : ''}
    </span>
  );
}

/** User, host, action, result and time range; each change refetches from the first page. */
function AuditFilters({ set }: { set(key: keyof AuditFilter, value: string | undefined): void }) {
  const trpc = useTRPC();
  const users = useQuery(trpc.users.list.queryOptions());
  return (
    <form
      aria-label="Filter the audit log"
      className="flex flex-wrap items-end gap-2"
      onSubmit={(event) => event.preventDefault()}
    >
      <select aria-label="User" className={inputClass} onChange={(e) => set('username', e.target.value)}>
        <option value="">Everyone</option>
        <option value={ENGINE_ACTOR}>{ENGINE_ACTOR} (on the host)</option>
        {users.data?.map((user) => (
          <option key={user.id} value={user.username}>
            {user.username}
          </option>
        ))}
      </select>
      <HostFilter onChange={(hostId) => set('hostId', hostId)} />
      <input
        aria-label="Action"
        list="audit-actions"
        placeholder="Action (container.stop, image.)"
        className={`${inputClass} w-56`}
        onChange={(e) => set('action', e.target.value)}
      />
      <datalist id="audit-actions">
        {ACTION_GROUPS.map((group) => (
          <option key={group} value={group} />
        ))}
      </datalist>
      <select aria-label="Result" className={inputClass} onChange={(e) => set('result', e.target.value)}>
        <option value="">Any result</option>
        <option value="ok">ok</option>
        <option value="error">error</option>
      </select>
      <label className="flex items-center gap-1 text-xs text-slate-500">
        From
        <input
          type="datetime-local"
          aria-label="From"
          className={inputClass}
          onChange={(e) => set('from', toIso(e.target.value))}
        />
      </label>
      <label className="flex items-center gap-1 text-xs text-slate-500">
        To
        <input
          type="datetime-local"
          aria-label="To"
          className={inputClass}
          onChange={(e) => set('to', toIso(e.target.value, 59_999))}
        />
      </label>
    </form>
  );
}

/**
 * A `datetime-local` value (the browser's local time, to the minute) as an ISO instant, plus
 * `extraMs` (the end of that minute for an upper bound); empty stays empty.
 */
function toIso(local: string, extraMs = 0): string | undefined {
  const at = local ? new Date(local).getTime() : Number.NaN;
  return Number.isNaN(at) ? undefined : new Date(at + extraMs).toISOString();
}

const shortId = (id: string | null) => (id && /^[0-9a-f]{64}$/.test(id) ? id.slice(0, 12) : (id ?? ''));
