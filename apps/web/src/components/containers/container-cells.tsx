'use client';

import { bytesSize, type ContainerHealth, type ContainerStatus, humanDuration } from '@stevedore/shared';
import { useSyncExternalStore } from 'react';

/** "45s", "12m", "5h 3m", "3d 4h": short enough for a table cell. */
export function compactDuration(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h ${m % 60}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}

import type { ContainerListRow } from './use-container-fleet';

const stateStyles: Record<ContainerStatus, string> = {
  running: 'bg-emerald-100 text-emerald-800 dark:bg-emerald-950 dark:text-emerald-200',
  paused: 'bg-amber-100 text-amber-800 dark:bg-amber-950 dark:text-amber-200',
  restarting: 'bg-sky-100 text-sky-800 dark:bg-sky-950 dark:text-sky-200',
  created: 'bg-slate-100 text-slate-700 dark:bg-slate-800 dark:text-slate-200',
  exited: 'bg-slate-100 text-slate-700 dark:bg-slate-800 dark:text-slate-200',
  removing: 'bg-red-100 text-red-800 dark:bg-red-950 dark:text-red-200',
  dead: 'bg-red-100 text-red-800 dark:bg-red-950 dark:text-red-200',
};

const healthStyles: Record<ContainerHealth, string> = {
  healthy: 'text-emerald-700 dark:text-emerald-300',
  unhealthy: 'text-red-700 dark:text-red-300',
  starting: 'text-sky-700 dark:text-sky-300',
};

export function ContainerStateCell({ row }: { row: ContainerListRow }) {
  const exit = row.state === 'exited' ? /\((-?\d+)\)/.exec(row.status)?.[1] : undefined;
  return (
    <span className="inline-flex flex-wrap items-center gap-1">
      <span
        data-testid="container-state"
        className={`inline-block rounded-full px-2 py-0.5 text-xs font-medium ${stateStyles[row.state]}`}
      >
        {row.state}
      </span>
      {exit !== undefined && exit !== '0' && (
        <span className="text-xs text-red-700 dark:text-red-300" title="exit code">
          ({exit})
        </span>
      )}
      {row.health && (
        <span data-testid="container-health" className={`text-xs ${healthStyles[row.health]}`}>
          {row.health}
        </span>
      )}
    </span>
  );
}

/** Seconds since the last start, for running and paused containers; null otherwise. */
export function uptimeMs(row: ContainerListRow, now: number): number | null {
  if ((row.state !== 'running' && row.state !== 'paused') || !row.startedAt) return null;
  return Math.max(0, now - Date.parse(row.startedAt));
}

export function UptimeCell({ row, now }: { row: ContainerListRow; now: number }) {
  const ms = uptimeMs(row, now);
  return (
    <span
      className="text-xs whitespace-nowrap text-slate-600 dark:text-slate-400"
      title={ms === null ? row.status : `up ${humanDuration(ms)}`}
    >
      {ms === null ? '—' : compactDuration(ms)}
    </span>
  );
}

function linkHost(ip: string, hostAddress: string | null, pageHost: string): string {
  const any = ip === '0.0.0.0' || ip === '::' || ip === '';
  const host = any || hostAddress === null ? (hostAddress ?? pageHost) : ip;
  return host.includes(':') ? `[${host}]` : host;
}

const noSubscription = () => () => {};
/** The dashboard's own host name; null on the server and while hydrating (the list may be server-rendered). */
function usePageHost(): string | null {
  return useSyncExternalStore(
    noSubscription,
    () => window.location.hostname,
    () => null,
  );
}

export function PortsCell({ row }: { row: ContainerListRow }) {
  const pageHost = usePageHost();
  if (row.ports.length === 0) return <span className="text-xs text-slate-400">—</span>;
  return (
    <span className="flex flex-wrap gap-x-2 font-mono text-xs">
      {row.ports.map((port) => {
        const label = `${port.publicPort}→${port.privatePort}${port.type === 'tcp' ? '' : `/${port.type}`}`;
        // A port of the dashboard's own machine links once the page knows its host name (after hydration).
        const linkable = port.type === 'tcp' && (row.hostAddress !== null || pageHost !== null);
        if (!linkable) return <span key={`${port.ip}-${port.publicPort}-${port.type}`}>{label}</span>;
        return (
          <a
            key={`${port.ip}-${port.publicPort}-${port.type}`}
            href={`http://${linkHost(port.ip, row.hostAddress, pageHost ?? '')}:${port.publicPort}/`}
            target="_blank"
            rel="noreferrer"
            className="text-sky-700 underline-offset-2 hover:underline dark:text-sky-300"
            title={`${port.ip}:${port.publicPort} → ${port.privatePort}/${port.type}`}
          >
            {label}
          </a>
        );
      })}
    </span>
  );
}

export const cpuText = (row: ContainerListRow) => (row.usage ? `${row.usage.cpuPercent.toFixed(1)} %` : '—');

export function MemoryCell({ row }: { row: ContainerListRow }) {
  if (!row.usage) return <span className="text-slate-400">—</span>;
  const { memoryUsage, memoryLimit } = row.usage;
  const share = memoryLimit > 0 ? Math.min(100, (memoryUsage / memoryLimit) * 100) : 0;
  return (
    <span className="block whitespace-nowrap" title={`${share.toFixed(1)} % of the limit`}>
      <span className="font-mono text-xs">
        {bytesSize(memoryUsage)} <span className="text-slate-500">/ {bytesSize(memoryLimit)}</span>
      </span>
      <span className="mt-0.5 block h-1 rounded bg-slate-200 dark:bg-slate-700">
        <span
          className={`block h-1 rounded ${share > 90 ? 'bg-red-500' : 'bg-sky-500'}`}
          style={{ width: `${share}%` }}
        />
      </span>
    </span>
  );
}

export function NetworkCell({ row }: { row: ContainerListRow }) {
  if (!row.usage) return <span className="text-slate-400">—</span>;
  return (
    <span className="font-mono text-xs whitespace-nowrap">
      ↓ {bytesSize(row.usage.rxRate)}/s{' '}
      <span className="text-slate-500">↑ {bytesSize(row.usage.txRate)}/s</span>
    </span>
  );
}
