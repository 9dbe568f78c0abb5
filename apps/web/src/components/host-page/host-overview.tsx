'use client';

import { bytesSize, countOf, type SystemInfo } from '@stevedore/shared';
import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { ContainerList } from '~/components/containers/container-list';
import type { ContainersFirstScreen } from '~/components/containers/fleet-first-screen';
import { EventFeed } from '~/components/event-feed';
import { ErrorNote } from '~/components/ui';
import { useHostRefresh } from '~/components/use-host-refresh';

import { useTRPC } from '~/trpc/react';

function infoRows(info: SystemInfo): [string, string][] {
  return [
    ['Server Version', info.ServerVersion],
    [
      'Containers',
      `${info.Containers} (running ${info.ContainersRunning}, paused ${info.ContainersPaused}, stopped ${info.ContainersStopped})`,
    ],
    ['Images', String(info.Images)],
    ['Storage Driver', info.Driver],
    ...info.DriverStatus.map(([k, v]): [string, string] => [`  ${k}`, v]),
    ['Cgroup Driver', info.CgroupDriver],
    ['Cgroup Version', info.CgroupVersion],
    ['Default Runtime', info.DefaultRuntime],
    [
      'Runtimes',
      Object.entries(info.Runtimes)
        .map(([n, r]) => `${n} ${r.version}`)
        .join(', '),
    ],
    ['Kernel Version', info.KernelVersion],
    ['Operating System', info.OperatingSystem],
    ['Architecture', info.Architecture],
    ['CPUs', String(info.NCPU)],
    ['Total Memory', bytesSize(info.MemTotal)],
    ['Name', info.Name],
    ['Root Dir', info.DockerRootDir],
    ['Exec Root', info.ExecRoot],
    ['Registry Mirrors', info.RegistryConfig.Mirrors.join(', ') || '—'],
    [
      'Insecure Registries',
      [...info.RegistryConfig.InsecureRegistryCIDRs, ...info.RegistryConfig.InsecureRegistries].join(', ') ||
        '—',
    ],
    ['Live Restore Enabled', String(info.LiveRestoreEnabled)],
  ];
}

/**
 * A host's overview: its engine's `system info`, its containers and recent events. `first` and
 * `initialInfo` come in the server's HTML (null when the server could not read them in time); the
 * live list and the queries take over after hydration.
 */
export function HostOverview({
  hostId,
  first,
  initialInfo,
}: {
  hostId: string;
  first: ContainersFirstScreen | null;
  initialInfo: SystemInfo | null;
}) {
  const trpc = useTRPC();
  const info = useQuery(
    trpc.hosts.info.queryOptions({ hostId }, initialInfo ? { initialData: initialInfo } : {}),
  );
  useHostRefresh(hostId);

  return (
    <section className="space-y-4">
      {info.isError && <ErrorNote>{info.error.message}</ErrorNote>}
      {info.isPending && <p className="text-sm text-slate-500">Loading system information…</p>}
      {info.data && (
        <dl
          data-testid="system-info"
          className="grid grid-cols-1 gap-x-6 rounded-lg border border-slate-200 bg-white p-4 text-sm sm:grid-cols-[14rem_1fr] dark:border-slate-800 dark:bg-slate-900"
        >
          {infoRows(info.data).map(([label, value]) => (
            <div key={label} className="contents">
              <dt className="py-1 font-medium text-slate-500 whitespace-pre">{label}</dt>
              <dd className="py-1 font-mono text-xs sm:text-sm" data-field={label.trim()}>
                {value}
              </dd>
            </div>
          ))}
        </dl>
      )}
      <div className="space-y-2">
        <h2 className="text-lg font-semibold">Containers</h2>
        <ContainerList hostId={hostId} first={first} />
      </div>
      <section className="space-y-1" aria-label="Images">
        <h2 className="text-lg font-semibold">Images</h2>
        <p className="text-sm text-slate-600 dark:text-slate-400">
          {info.data ? `${countOf(info.data.Images, 'image')} on this host. ` : ''}
          <Link href={`/hosts/${hostId}/images`} className="text-sky-700 underline dark:text-sky-300">
            Pull, tag and remove them on the Images tab
          </Link>
        </p>
      </section>
      <section className="space-y-2" aria-label="Recent events">
        <h2 className="text-lg font-semibold">Events</h2>
        <EventFeed filter={{ hostId }} />
      </section>
    </section>
  );
}
