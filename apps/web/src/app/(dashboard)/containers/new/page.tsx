'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useRouter, useSearchParams } from 'next/navigation';
import { Suspense } from 'react';
import { ContainerForm } from '~/components/containers/container-form';
import { useToast } from '~/components/toasts';
import { ErrorNote, StateBadge } from '~/components/ui';
import { EMPTY_FORM } from '~/lib/container-form/values';
import { useTRPC } from '~/trpc/react';

/** No host chosen yet: the hosts to run on. */
function HostPicker() {
  const trpc = useTRPC();
  const hosts = useQuery(trpc.hosts.list.queryOptions());
  if (hosts.error) return <ErrorNote>{hosts.error.message}</ErrorNote>;
  if (!hosts.data) return <p className="text-sm text-slate-500">Loading hosts…</p>;
  if (hosts.data.length === 0) {
    return (
      <p className="text-sm">
        No hosts yet.{' '}
        <Link href="/hosts" className="text-sky-700 underline dark:text-sky-400">
          Add a host
        </Link>{' '}
        first.
      </p>
    );
  }
  return (
    <nav aria-label="Choose a host">
      <p className="mb-2 text-sm">Which host should run the container?</p>
      <ul className="divide-y divide-slate-200 rounded-lg border border-slate-200 bg-white dark:divide-slate-800 dark:border-slate-800 dark:bg-slate-900">
        {hosts.data.map((host) => (
          <li key={host.id}>
            <Link
              href={`/containers/new?host=${encodeURIComponent(host.id)}`}
              className="flex items-center justify-between gap-3 px-4 py-3 hover:bg-slate-50 focus-visible:outline focus-visible:outline-2 focus-visible:outline-sky-500 dark:hover:bg-slate-800"
            >
              <span className="font-medium">{host.name}</span>
              <StateBadge state={host.status.state} />
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}

function NewContainer() {
  const params = useSearchParams();
  const router = useRouter();
  const toast = useToast();
  const trpc = useTRPC();
  const hostId = params.get('host');
  const from = params.get('from');
  const options = useQuery({
    ...trpc.containers.form.options.queryOptions({ hostId: hostId ?? '' }),
    enabled: !!hostId,
  });
  const template = useQuery({
    ...trpc.containers.form.template.queryOptions({
      hostId: hostId ?? '',
      container: from ?? '',
      purpose: 'duplicate',
    }),
    enabled: !!hostId && !!from,
  });
  const host = useQuery({ ...trpc.hosts.get.queryOptions({ hostId: hostId ?? '' }), enabled: !!hostId });

  if (!hostId) return <HostPicker />;
  if (from && template.error)
    return (
      <ErrorNote>
        Cannot read container {from}: {template.error.message}
      </ErrorNote>
    );
  if (from && !template.data)
    return <p className="text-sm text-slate-500">Reading the container’s settings…</p>;
  return (
    <div className="space-y-3">
      <p className="text-sm text-slate-600 dark:text-slate-400">
        On host <span className="font-medium">{host.data?.name ?? hostId}</span>
        {template.data && (
          <>
            {' '}
            · a copy of <span className="font-mono">{template.data.name}</span> (every setting kept unless you
            change it here)
          </>
        )}
      </p>
      {options.error && (
        <ErrorNote>Cannot load this host’s images and ports: {options.error.message}</ErrorNote>
      )}
      <ContainerForm
        key={from ?? 'new'}
        hostId={hostId}
        initial={template.data?.values ?? EMPTY_FORM}
        {...(template.data ? { base: template.data.base } : {})}
        mode={from ? { kind: 'duplicate', from } : { kind: 'create' }}
        options={options.data}
        onDone={({ id }) => {
          toast.success(`Container ${id.slice(0, 12)} created`);
          router.push(`/hosts/${encodeURIComponent(hostId)}/containers/${id}`);
        }}
      />
    </div>
  );
}

export default function NewContainerPage() {
  return (
    <div className="mx-auto max-w-4xl space-y-4">
      <h1 className="text-xl font-semibold">Run a container</h1>
      <Suspense fallback={<p className="text-sm text-slate-500">Loading…</p>}>
        <NewContainer />
      </Suspense>
    </div>
  );
}
