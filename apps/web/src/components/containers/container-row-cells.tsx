'use client';

import type { ContainerAction } from '@stevedore/shared';
import Link from 'next/link';
import { SecondaryButton } from '../ui';
import {
  ContainerStateCell,
  cpuText,
  MemoryCell,
  NetworkCell,
  PortsCell,
  UptimeCell,
} from './container-cells';
import type { ContainerListRow } from './use-container-fleet';

/** The one action a row offers itself (the rest through selection). */
function quickActions(row: ContainerListRow): ContainerAction[] {
  if (row.state === 'running') return ['stop'];
  if (row.state === 'paused') return ['unpause'];
  if (row.state === 'restarting' || row.state === 'removing') return [];
  return ['start'];
}

/** The content of one cell of the containers table, by column id. */
export function cellOf(
  id: string,
  data: ContainerListRow,
  now: number,
  row: {
    getCanSelect(): boolean;
    getIsSelected(): boolean;
    getToggleSelectedHandler(): (event: unknown) => void;
  },
  operate: boolean,
  busy: boolean,
  ask: (action: ContainerAction, rows: ContainerListRow[]) => void,
) {
  switch (id) {
    case 'select':
      return row.getCanSelect() ? (
        <input
          type="checkbox"
          aria-label={`Select ${data.name}`}
          className="size-4 accent-sky-600"
          checked={row.getIsSelected()}
          onChange={row.getToggleSelectedHandler()}
        />
      ) : null;
    case 'host':
      return <span className="text-xs whitespace-nowrap">{data.hostName}</span>;
    case 'name':
      return (
        <span className="block max-w-[9rem] min-w-0 sm:max-w-[14rem]">
          <Link
            href={`/hosts/${data.hostId}/containers/${data.id}`}
            className="block truncate font-mono text-xs font-medium text-sky-700 hover:underline dark:text-sky-300"
            title={data.name}
          >
            {data.name}
          </Link>
          <span className="block truncate text-xs text-slate-500 lg:hidden" title={data.image}>
            {data.hostName} · {data.image}
          </span>
        </span>
      );
    case 'image':
      return (
        <span className="block max-w-[12rem] truncate font-mono text-xs" title={data.image}>
          {data.image}
        </span>
      );
    case 'state':
      return data.hostOffline ? (
        <span className="inline-flex flex-wrap items-center gap-1">
          <ContainerStateCell row={data} />
          <span
            data-testid="host-offline"
            title={`${data.hostName} does not answer: this is its last known state`}
            className="rounded-full bg-slate-200 px-2 py-0.5 text-xs font-medium whitespace-nowrap text-slate-700 dark:bg-slate-700 dark:text-slate-200"
          >
            host offline
          </span>
        </span>
      ) : (
        <ContainerStateCell row={data} />
      );
    case 'uptime':
      return <UptimeCell row={data} now={now} />;
    case 'ports':
      return <PortsCell row={data} />;
    case 'cpu':
      return (
        <span data-testid="container-cpu" className="font-mono text-xs whitespace-nowrap">
          {cpuText(data)}
        </span>
      );
    case 'memory':
      return <MemoryCell row={data} />;
    case 'network':
      return <NetworkCell row={data} />;
    case 'actions':
      return operate ? (
        <span className="flex justify-end gap-1">
          {quickActions(data).map((action) => (
            <SecondaryButton
              key={action}
              className="px-2 py-0.5 text-xs"
              disabled={busy}
              aria-label={`${action} ${data.name}`}
              onClick={() => ask(action, [data])}
            >
              {action}
            </SecondaryButton>
          ))}
        </span>
      ) : null;
    default:
      return null;
  }
}
