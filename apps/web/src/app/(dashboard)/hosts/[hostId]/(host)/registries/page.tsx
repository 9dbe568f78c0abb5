'use client';

import type { RegistrySettings } from '@stevedore/shared';
import { countOf } from '@stevedore/shared';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useParams } from 'next/navigation';
import { useState } from 'react';
import { Modal } from '~/components/presets/modal';
import { MirrorHealthPanel } from '~/components/registries/mirror-health';
import { RecentPulls } from '~/components/registries/recent-pulls';
import { RegistryForm } from '~/components/registries/registry-form';
import { RegistryProbe } from '~/components/registries/registry-probe';
import { RegistryTable } from '~/components/registries/registry-table';
import { useToast } from '~/components/toasts';
import { Button, ErrorNote, SecondaryButton } from '~/components/ui';
import { useTRPC } from '~/trpc/react';

type Editing = { settings: RegistrySettings | null } | null;

/** The host's registries and mirrors, their health, and which mirror served each recent pull. */
export default function HostRegistriesPage() {
  const { hostId } = useParams<{ hostId: string }>();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const toast = useToast();
  const me = useQuery(trpc.auth.status.queryOptions());
  const access = useQuery(trpc.hosts.access.queryOptions({ hostId }));
  const isAdmin = me.data?.user?.role === 'admin';
  const canOperate = access.data?.canOperate ?? false;
  const list = useQuery(trpc.registries.list.queryOptions({ hostId }));
  const health = useQuery(trpc.registries.health.queryOptions({ hostId }, { refetchInterval: 30_000 }));
  const pulls = useQuery(
    trpc.registries.recentPulls.queryOptions({ hostId, limit: 20 }, { refetchInterval: 15_000 }),
  );
  const [editing, setEditing] = useState<Editing>(null);
  const probe = useMutation(
    trpc.registries.probe.mutationOptions({
      onSuccess: (report) => {
        queryClient.setQueryData(trpc.registries.health.queryKey({ hostId }), report);
        toast.success(`Probed ${countOf(report.mirrors.length, 'mirror')}`);
      },
      onError: (error) => toast.error(error.message),
    }),
  );

  return (
    <div className="space-y-6">
      <section className="space-y-3">
        <div className="flex flex-wrap items-center justify-between gap-2">
          <h2 className="text-lg font-semibold">Registries and mirrors</h2>
          {isAdmin && <Button onClick={() => setEditing({ settings: null })}>Add registry</Button>}
        </div>
        {list.isPending && <p className="text-sm text-slate-500">Loading the host's registry settings…</p>}
        {list.isError && <ErrorNote>{list.error.message}</ErrorNote>}
        {list.data && (
          <>
            <RegistryTable
              registries={list.data.registries}
              onEdit={isAdmin ? (settings) => setEditing({ settings }) : null}
              probe={canOperate ? (registry) => <RegistryProbe hostId={hostId} registry={registry} /> : null}
            />
            {list.data.problems.map((problem) => (
              <ErrorNote key={problem.registry}>
                {problem.registry}: {problem.error}
              </ErrorNote>
            ))}
            <p className="text-xs text-slate-500 dark:text-slate-400">
              Docker Hub's mirrors are in {list.data.configFile} (registry-mirrors); every registry's in{' '}
              {list.data.certsDir}/&lt;registry&gt;/hosts.toml. Changes apply at the next pull, without a
              restart.
              {!isAdmin && ' Only admins change host configuration.'}
            </p>
          </>
        )}
      </section>

      <section className="space-y-3">
        <div className="flex flex-wrap items-center justify-between gap-2">
          <h2 className="text-lg font-semibold">Mirror health</h2>
          {canOperate && (
            <SecondaryButton onClick={() => probe.mutate({ hostId })} disabled={probe.isPending}>
              {probe.isPending ? 'Probing…' : 'Probe now'}
            </SecondaryButton>
          )}
        </div>
        {health.isError && <ErrorNote>{health.error.message}</ErrorNote>}
        {health.data && <MirrorHealthPanel report={health.data} />}
      </section>

      <section className="space-y-3">
        <h2 className="text-lg font-semibold">Recent pulls</h2>
        {pulls.isError && <ErrorNote>{pulls.error.message}</ErrorNote>}
        {pulls.data && <RecentPulls pulls={pulls.data} />}
      </section>

      <Modal
        open={editing !== null}
        title={editing?.settings ? `Registry ${editing.settings.registry}` : 'Add a registry'}
        onClose={() => setEditing(null)}
        wide
      >
        {editing && (
          <RegistryForm hostId={hostId} settings={editing.settings} onDone={() => setEditing(null)} />
        )}
      </Modal>
    </div>
  );
}
