'use client';

import { useQuery } from '@tanstack/react-query';
import { useParams } from 'next/navigation';
import { DataRootPanel } from '~/components/disk/data-root-panel';
import { DiskUsageChart } from '~/components/disk/disk-usage-chart';
import { LogRotationPanel } from '~/components/disk/log-rotation-panel';
import { MigrationPanel } from '~/components/disk/migration-panel';
import { PrunePolicyPanel } from '~/components/disk/prune-policy-panel';
import { ErrorNote } from '~/components/ui';
import { useTRPC } from '~/trpc/react';

/** The host's disk: where its data lives, what takes the space, moving it, and keeping it tidy. */
export default function HostDiskPage() {
  const { hostId } = useParams<{ hostId: string }>();
  const trpc = useTRPC();
  const me = useQuery(trpc.auth.status.queryOptions());
  const overview = useQuery({ ...trpc.disk.overview.queryOptions({ hostId }), refetchInterval: 30_000 });
  const isAdmin = me.data?.user?.role === 'admin';
  return (
    <div className="space-y-4">
      {overview.isPending && <p className="text-sm text-slate-500">Reading the host's disk…</p>}
      {overview.isError && (
        <ErrorNote>
          Cannot read this host's disk: {overview.error.message}. The figures come from the agent; they show
          again once it answers.
        </ErrorNote>
      )}
      {overview.data && (
        <div className="grid gap-4 lg:grid-cols-[minmax(0,2fr)_minmax(0,3fr)]">
          <DataRootPanel info={overview.data.dataRoot} />
          <DiskUsageChart rows={overview.data.df} />
        </div>
      )}
      {overview.data && <MigrationPanel hostId={hostId} info={overview.data.dataRoot} isAdmin={isAdmin} />}
      <div className="grid gap-4 lg:grid-cols-2">
        <LogRotationPanel hostId={hostId} isAdmin={isAdmin} />
        <PrunePolicyPanel hostId={hostId} isAdmin={isAdmin} />
      </div>
    </div>
  );
}
