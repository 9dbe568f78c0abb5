'use client';

import { useQuery } from '@tanstack/react-query';
import { RegistryRollout } from '~/components/registries/registry-rollout';
import { ErrorNote } from '~/components/ui';
import { useTRPC } from '~/trpc/react';

/** One registry setting for many hosts: preview each host's change, roll it out, roll back on failure. */
export default function RegistriesPage() {
  const trpc = useTRPC();
  const me = useQuery(trpc.auth.status.queryOptions());
  const hosts = useQuery(trpc.hosts.list.queryOptions());
  return (
    <section className="space-y-4">
      <div>
        <h1 className="text-2xl font-semibold">Registries</h1>
        <p className="text-sm text-slate-600 dark:text-slate-400">
          Set a mirror, the insecure flag or a CA for one registry on many hosts at once. Each host's own
          settings are on its Registries tab.
        </p>
      </div>
      {hosts.isError && <ErrorNote>{hosts.error.message}</ErrorNote>}
      {hosts.data && hosts.data.length === 0 && (
        <p className="text-sm text-slate-600 dark:text-slate-400">
          Add a host first; its registries can then be set here.
        </p>
      )}
      {hosts.data && hosts.data.length > 0 && (
        <RegistryRollout hosts={hosts.data} isAdmin={me.data?.user?.role === 'admin'} />
      )}
    </section>
  );
}
