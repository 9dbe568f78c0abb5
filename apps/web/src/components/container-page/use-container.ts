'use client';

import { useQuery } from '@tanstack/react-query';
import { useParams } from 'next/navigation';
import { useTRPC } from '~/trpc/react';

/** The host and container of the current container page route. */
export function useContainerRoute(): { hostId: string; containerId: string; base: string } {
  const { hostId, containerId } = useParams<{ hostId: string; containerId: string }>();
  return { hostId, containerId, base: `/hosts/${hostId}/containers/${containerId}` };
}

/** The container's inspect; the layout refreshes it on the container's engine events. */
export function useContainerInspect() {
  const trpc = useTRPC();
  const { hostId, containerId } = useContainerRoute();
  return useQuery(
    trpc.containers.details.inspect.queryOptions(
      { hostId, container: containerId },
      {
        retry: (count, error) =>
          count < 2 && error.data?.code !== 'NOT_FOUND' && error.data?.code !== 'FORBIDDEN',
      },
    ),
  );
}

export const containerName = (name: string) => name.replace(/^\//, '');
