'use client';

import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useSubscription } from '@trpc/tanstack-react-query';
import Link from 'next/link';
import type { ReactNode } from 'react';
import { ContainerActions } from '~/components/container-page/container-actions';
import { ContainerHealthBadge } from '~/components/container-page/container-health';
import { ContainerStateBadge } from '~/components/container-page/container-state';
import { ContainerTabs } from '~/components/container-page/container-tabs';
import {
  containerName,
  useContainerInspect,
  useContainerRoute,
} from '~/components/container-page/use-container';
import { ErrorNote } from '~/components/ui';
import { useTRPC } from '~/trpc/react';

export default function ContainerLayout({ children }: { children: ReactNode }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { hostId, containerId, base } = useContainerRoute();
  const host = useQuery(trpc.hosts.get.queryOptions({ hostId }));
  const access = useQuery(trpc.hosts.access.queryOptions({ hostId }));
  const inspect = useContainerInspect();
  const id = inspect.data?.Id;
  // The header follows the engine: every event of this container refreshes what the page shows.
  useSubscription(
    trpc.events.watch.subscriptionOptions(
      { hostId, type: 'container', actor: id ?? containerId },
      {
        enabled: id !== undefined,
        onData: () => {
          void queryClient.invalidateQueries({ queryKey: trpc.containers.details.pathKey() });
        },
      },
    ),
  );

  const hostLink = (
    <Link
      href={`/hosts/${hostId}`}
      className="text-sky-700 underline-offset-2 hover:underline focus-visible:outline focus-visible:outline-2 focus-visible:outline-sky-500 dark:text-sky-400"
    >
      {host.data?.name ?? 'host'}
    </Link>
  );

  if (inspect.error?.data?.code === 'NOT_FOUND') {
    return (
      <section className="space-y-3 rounded-lg border border-slate-200 bg-white p-6 dark:border-slate-800 dark:bg-slate-900">
        <h1 className="text-xl font-semibold">No such container</h1>
        <p className="text-sm text-slate-600 dark:text-slate-300">
          <span className="break-all font-mono">{containerId}</span> is not on {hostLink}: it may have been
          removed.
        </p>
        <p className="text-sm">Back to {hostLink} to see the containers it has.</p>
      </section>
    );
  }

  return (
    <section className="space-y-4">
      <p className="text-sm text-slate-500">
        {hostLink} <span aria-hidden="true">/</span> containers
      </p>
      {inspect.isPending && <p className="text-sm text-slate-500">Loading container…</p>}
      {inspect.isError && <ErrorNote>{inspect.error.message}</ErrorNote>}
      {inspect.data && (
        <header className="space-y-3">
          <div className="flex flex-wrap items-center gap-x-3 gap-y-1">
            <h1 className="break-all text-2xl font-semibold" data-testid="container-name">
              {containerName(inspect.data.Name)}
            </h1>
            <ContainerStateBadge state={inspect.data.State} />
            <ContainerHealthBadge state={inspect.data.State} />
          </div>
          <p className="break-all font-mono text-xs text-slate-600 dark:text-slate-400">
            {inspect.data.Config.Image} · {inspect.data.Id.slice(0, 12)}
          </p>
          {access.data?.canOperate && <ContainerActions hostId={hostId} container={inspect.data} />}
        </header>
      )}
      <ContainerTabs base={base} />
      <div>{children}</div>
    </section>
  );
}
