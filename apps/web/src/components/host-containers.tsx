'use client';

import type { ContainerAction, ContainerSummary } from '@stevedore/shared';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTRPC } from '~/trpc/react';
import { DataTable, rowClass } from './data-table';
import { useToast } from './toasts';
import { ErrorNote, SecondaryButton } from './ui';

function actionsFor(container: ContainerSummary): ContainerAction[] {
  switch (container.State) {
    case 'running':
      return ['stop', 'restart', 'pause', 'kill'];
    case 'paused':
      return ['unpause', 'kill'];
    default:
      return ['start', 'remove'];
  }
}

/** The containers of one host, with lifecycle buttons for those who may operate it. */
export function HostContainers({ hostId, canOperate }: { hostId: string; canOperate: boolean }) {
  const trpc = useTRPC();
  const toast = useToast();
  const queryClient = useQueryClient();
  const containers = useQuery({ ...trpc.containers.list.queryOptions({ hostId }), refetchInterval: 3_000 });
  const act = useMutation(
    trpc.containers.act.mutationOptions({
      onSuccess: (_, input) => toast.success(`${input.action}: ${input.container}`),
      onError: (error, input) => toast.error(`${input.action} ${input.container}: ${error.message}`),
      onSettled: () => queryClient.invalidateQueries({ queryKey: trpc.containers.list.queryKey({ hostId }) }),
    }),
  );
  return (
    <section className="space-y-2" aria-label="Containers">
      <h2 className="text-lg font-semibold">Containers</h2>
      {containers.isError && <ErrorNote>{containers.error.message}</ErrorNote>}
      <DataTable columns={['Name', 'Image', 'State', 'Status', 'Ports', ...(canOperate ? [''] : [])]}>
        {containers.isPending && (
          <tr>
            <td colSpan={6} className="px-4 py-6 text-slate-500">
              Loading…
            </td>
          </tr>
        )}
        {containers.isSuccess && containers.data.length === 0 && (
          <tr>
            <td colSpan={6} className="px-4 py-6 text-slate-500">
              No containers on this host.
            </td>
          </tr>
        )}
        {containers.data?.map((container) => {
          const name = container.Names[0]?.replace(/^\//, '') ?? container.Id.slice(0, 12);
          return (
            <tr key={container.Id} data-testid={`container-row-${name}`} className={rowClass}>
              <td className="px-4 py-2 font-mono text-xs">{name}</td>
              <td className="px-4 py-2 font-mono text-xs">{container.Image}</td>
              <td className="px-4 py-2" data-testid="container-state">
                {container.State}
              </td>
              <td className="px-4 py-2 text-xs text-slate-500">{container.Status}</td>
              <td className="px-4 py-2 font-mono text-xs">
                {container.Ports.filter((p) => p.PublicPort)
                  .map((p) => `${p.IP ?? '0.0.0.0'}:${p.PublicPort}->${p.PrivatePort}/${p.Type}`)
                  .join(', ')}
              </td>
              {canOperate && (
                <td className="px-4 py-2">
                  <div className="flex justify-end gap-1">
                    {actionsFor(container).map((action) => (
                      <SecondaryButton
                        key={action}
                        className="px-2 py-0.5 text-xs"
                        disabled={act.isPending}
                        aria-label={`${action} ${name}`}
                        onClick={() => act.mutate({ hostId, container: container.Id, action })}
                      >
                        {action}
                      </SecondaryButton>
                    ))}
                  </div>
                </td>
              )}
            </tr>
          );
        })}
      </DataTable>
    </section>
  );
}
