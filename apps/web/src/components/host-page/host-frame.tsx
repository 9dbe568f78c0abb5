'use client';

import type { HostSummary } from '@stevedore/shared';
import { useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { HostTabs } from '~/components/host-page/host-tabs';
import { SshHostKey } from '~/components/ssh-host-key';
import { ErrorNote, StateBadge } from '~/components/ui';
import { useHostStatuses } from '~/components/use-host-statuses';
import { useTRPC } from '~/trpc/react';

/** Every host screen: the host's name and state, then its tabs (`initialHost` from the server's HTML). */
export function HostFrame({
  hostId,
  initialHost,
  children,
}: {
  hostId: string;
  initialHost: HostSummary | null;
  children: ReactNode;
}) {
  const trpc = useTRPC();
  const host = useQuery(
    trpc.hosts.get.queryOptions({ hostId }, initialHost ? { initialData: initialHost } : {}),
  );
  const me = useQuery(trpc.auth.status.queryOptions());
  const live = useHostStatuses();
  const status = live[hostId] ?? host.data?.status;

  return (
    <section className="space-y-4">
      <div className="flex items-center gap-3">
        <h1 className="text-2xl font-semibold">{host.data?.name ?? '…'}</h1>
        {status && <StateBadge state={status.state} />}
      </div>
      {host.isError && <ErrorNote>{host.error.message}</ErrorNote>}
      {status?.lastError && status.state !== 'online' && (
        <p data-testid="host-last-error" className="text-sm text-slate-600 dark:text-slate-400">
          {status.lastError}
        </p>
      )}
      {host.data?.transport === 'ssh' && (
        <SshHostKey hostId={hostId} pinned={host.data.sshHostKey} isAdmin={me.data?.user?.role === 'admin'} />
      )}
      <HostTabs base={`/hosts/${hostId}`} />
      {children}
    </section>
  );
}
