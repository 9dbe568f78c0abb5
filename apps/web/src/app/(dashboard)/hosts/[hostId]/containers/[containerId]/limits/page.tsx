'use client';

import { useQuery } from '@tanstack/react-query';
import { useContainerInspect, useContainerRoute } from '~/components/container-page/use-container';
import { LimitsPanel } from '~/components/limits/limits-panel';
import { ErrorNote } from '~/components/ui';
import { useTRPC } from '~/trpc/react';

/** The container page's Limits tab: limits applied live and proven, and recommended from usage. */
export default function ContainerLimitsPage() {
  const trpc = useTRPC();
  const { hostId, containerId } = useContainerRoute();
  const inspect = useContainerInspect();
  const access = useQuery(trpc.hosts.access.queryOptions({ hostId }));
  if (inspect.isPending || access.isPending) return <p className="text-sm text-slate-500">Loading limits…</p>;
  if (inspect.isError) return <ErrorNote>{inspect.error.message}</ErrorNote>;
  return (
    <LimitsPanel
      key={inspect.data.Id}
      hostId={hostId}
      containerId={containerId}
      inspect={inspect.data}
      canOperate={access.data?.canOperate ?? false}
    />
  );
}
