'use client';

import { useQuery } from '@tanstack/react-query';
import { ContainerOverview } from '~/components/container-page/container-overview';
import { useContainerInspect, useContainerRoute } from '~/components/container-page/use-container';
import { useTRPC } from '~/trpc/react';

export default function ContainerOverviewPage() {
  const trpc = useTRPC();
  const { hostId } = useContainerRoute();
  const host = useQuery(trpc.hosts.get.queryOptions({ hostId }));
  const inspect = useContainerInspect();
  // The layout shows loading, errors and "no such container".
  if (!inspect.data) return null;
  return <ContainerOverview container={inspect.data} hostAddress={host.data?.address} />;
}
