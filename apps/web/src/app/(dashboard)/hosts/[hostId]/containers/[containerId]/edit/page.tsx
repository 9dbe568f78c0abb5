'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useParams, useRouter } from 'next/navigation';
import { ContainerForm } from '~/components/containers/container-form';
import { useToast } from '~/components/toasts';
import { ErrorNote } from '~/components/ui';
import { useTRPC } from '~/trpc/react';

/** Edit a container: the run form filled from it; applying shows the diff first. */
export default function EditContainerPage() {
  const { hostId, containerId } = useParams<{ hostId: string; containerId: string }>();
  const router = useRouter();
  const toast = useToast();
  const trpc = useTRPC();
  const options = useQuery(trpc.containers.form.options.queryOptions({ hostId }));
  const template = useQuery(
    trpc.containers.form.template.queryOptions({ hostId, container: containerId, purpose: 'edit' }),
  );
  const duplicateHref = `/containers/new?host=${encodeURIComponent(hostId)}&from=${containerId}`;

  return (
    <div className="mx-auto max-w-4xl space-y-4">
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <h1 className="text-xl font-semibold">
          Edit <span className="font-mono">{template.data?.name ?? containerId.slice(0, 12)}</span>
        </h1>
        <Link href={duplicateHref} className="text-sm text-sky-700 underline dark:text-sky-400">
          Duplicate instead
        </Link>
      </div>
      {template.error && <ErrorNote>Cannot read the container: {template.error.message}</ErrorNote>}
      {!template.data && !template.error && (
        <p className="text-sm text-slate-500">Reading the container’s settings…</p>
      )}
      {template.data && (
        <ContainerForm
          hostId={hostId}
          initial={template.data.values}
          base={template.data.base}
          mode={{ kind: 'edit', container: template.data.id, name: template.data.name }}
          options={options.data}
          onDone={({ id, recreated }) => {
            toast.success(recreated ? `Recreated as ${id.slice(0, 12)}` : 'Changes applied');
            router.push(`/hosts/${encodeURIComponent(hostId)}/containers/${id}`);
          }}
        />
      )}
    </div>
  );
}
