'use client';

import { ALERT_KIND_LABELS, type Alert } from '@stevedore/shared';
import Link from 'next/link';

/** Where an alert's target lives in the dashboard: its container page, or its host's. */
export function targetHref(alert: Pick<Alert, 'target'>): string {
  const { hostId, containerId } = alert.target;
  return containerId
    ? `/hosts/${encodeURIComponent(hostId)}/containers/${encodeURIComponent(containerId)}`
    : `/hosts/${encodeURIComponent(hostId)}`;
}

export function targetName(alert: Pick<Alert, 'target'>): string {
  const { hostName, containerId, containerName } = alert.target;
  return containerId ? `${containerName ?? containerId.slice(0, 12)} on ${hostName}` : hostName;
}

const stateBadge: Record<Alert['state'], string> = {
  firing: 'bg-red-100 text-red-800 dark:bg-red-950 dark:text-red-200',
  resolved: 'bg-emerald-100 text-emerald-800 dark:bg-emerald-950 dark:text-emerald-200',
};

export function AlertStateBadge({ state }: { state: Alert['state'] }) {
  return (
    <span className={`inline-block rounded-full px-2 py-0.5 text-xs font-medium ${stateBadge[state]}`}>
      {state}
    </span>
  );
}

const time = (iso: string) => new Date(iso).toLocaleString();

/** One alert as a compact item: what, where (linked), when; used in the panel and the history. */
export function AlertItem({ alert, onNavigate }: { alert: Alert; onNavigate?: () => void }) {
  const resolution = typeof alert.details.resolution === 'string' ? alert.details.resolution : null;
  return (
    <div data-testid="alert-item" data-state={alert.state} className="min-w-0 space-y-0.5">
      <div className="flex flex-wrap items-center gap-2">
        <AlertStateBadge state={alert.state} />
        <span className="text-xs text-slate-500">{ALERT_KIND_LABELS[alert.kind]}</span>
        {alert.occurrences > 1 && (
          <span className="text-xs text-slate-500" title="Occurrences while it fired">
            ×{alert.occurrences}
          </span>
        )}
      </div>
      <p className="break-words text-sm font-medium">{alert.summary}</p>
      <p className="text-xs text-slate-600 dark:text-slate-400">
        <Link
          href={targetHref(alert)}
          onClick={onNavigate}
          className="text-sky-700 hover:underline dark:text-sky-400"
        >
          {targetName(alert)}
        </Link>
        {' · '}rule {alert.ruleName}
      </p>
      <p className="text-xs text-slate-500">
        fired {time(alert.firedAt)}
        {alert.lastSeenAt !== alert.firedAt && alert.state === 'firing' && (
          <> · last {time(alert.lastSeenAt)}</>
        )}
        {alert.resolvedAt && <> · resolved {time(alert.resolvedAt)}</>}
        {resolution && <> ({resolution})</>}
      </p>
    </div>
  );
}
