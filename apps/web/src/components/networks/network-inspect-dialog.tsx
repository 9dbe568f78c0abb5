'use client';

import type { HostNetwork, NetworkMember } from '@stevedore/shared';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useState } from 'react';
import { useTRPC } from '~/trpc/react';
import { DataTable, rowClass } from '../data-table';
import { JsonBlock } from '../netvol/json-block';
import { Modal } from '../presets/modal';
import { useToast } from '../toasts';
import { ErrorNote, SecondaryButton } from '../ui';
import { NetworkConnectForm } from './network-connect-form';

/** One network: its settings, the containers on it with their addresses, connect and disconnect, the JSON. */
export function NetworkInspectDialog({
  hostId,
  networkId,
  canOperate,
  onClose,
}: {
  hostId: string;
  networkId: string | null;
  canOperate: boolean;
  onClose(): void;
}) {
  const trpc = useTRPC();
  const inspect = useQuery({
    ...trpc.networks.inspect.queryOptions({ hostId, network: networkId ?? '' }),
    enabled: networkId !== null,
  });
  const row = inspect.data;
  return (
    <Modal
      open={networkId !== null}
      title={row ? `Network ${row.network.Name}` : 'Network'}
      onClose={onClose}
      wide
    >
      {inspect.isError && <ErrorNote>{inspect.error.message}</ErrorNote>}
      {inspect.isPending && <p className="text-sm text-slate-500">Loading…</p>}
      {row && <NetworkDetails hostId={hostId} row={row} canOperate={canOperate} />}
    </Modal>
  );
}

function NetworkDetails({
  hostId,
  row,
  canOperate,
}: {
  hostId: string;
  row: HostNetwork;
  canOperate: boolean;
}) {
  const { network, members } = row;
  const ipam = network.IPAM.Config[0];
  const facts: [string, string][] = [
    ['ID', network.Id],
    ['Driver', network.Driver],
    ['Subnet', ipam?.Subnet ?? '—'],
    ['Gateway', ipam?.Gateway ?? '—'],
    ['Internal', network.Internal ? 'yes' : 'no'],
    ['Created', network.Created],
    [
      'Labels',
      Object.entries(network.Labels)
        .map(([key, value]) => `${key}=${value}`)
        .join(', ') || '—',
    ],
  ];
  const connectable = network.Driver === 'bridge';
  return (
    <div className="space-y-4" data-testid="network-inspect">
      <dl className="grid grid-cols-[max-content_1fr] gap-x-4 gap-y-1 text-sm">
        {facts.map(([term, value]) => (
          <div key={term} className="contents">
            <dt className="text-slate-500">{term}</dt>
            <dd className="min-w-0 break-all font-mono text-xs leading-5">{value}</dd>
          </div>
        ))}
      </dl>
      <section aria-label="Connected containers" className="space-y-2">
        <h3 className="font-medium">Containers ({members.length})</h3>
        {members.length === 0 ? (
          <p className="text-sm text-slate-600 dark:text-slate-400">
            No container is on this network. {canOperate && connectable ? 'Connect one below.' : ''}
          </p>
        ) : (
          <MembersTable hostId={hostId} network={network.Name} members={members} canOperate={canOperate} />
        )}
      </section>
      {canOperate && connectable && (
        <NetworkConnectForm hostId={hostId} network={network.Name} members={members} />
      )}
      <JsonBlock value={network} />
    </div>
  );
}

function MembersTable({
  hostId,
  network,
  members,
  canOperate,
}: {
  hostId: string;
  network: string;
  members: NetworkMember[];
  canOperate: boolean;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const toast = useToast();
  const [leaving, setLeaving] = useState<NetworkMember | null>(null);
  const disconnect = useMutation(trpc.networks.disconnect.mutationOptions());
  const confirm = () => {
    if (!leaving) return;
    disconnect.mutate(
      { hostId, network, container: leaving.id },
      {
        onSuccess: async () => {
          toast.success(`${leaving.name} disconnected from ${network}`);
          setLeaving(null);
          await queryClient.invalidateQueries({ queryKey: trpc.networks.pathKey() });
        },
      },
    );
  };
  return (
    <>
      <DataTable columns={['Container', 'State', 'IPv4 address', 'MAC address', 'Aliases', '']}>
        {members.map((member) => (
          <tr key={member.id} className={rowClass} data-testid={`network-member-${member.name}`}>
            <td className="px-4 py-2">
              <Link
                href={`/hosts/${hostId}/containers/${member.id}`}
                className="text-sky-700 hover:underline dark:text-sky-400"
              >
                {member.name}
              </Link>
            </td>
            <td className="px-4 py-2">{member.running ? 'running' : 'stopped'}</td>
            <td className="px-4 py-2 font-mono text-xs" data-testid="member-address">
              {member.ipv4Address || '—'}
            </td>
            <td className="px-4 py-2 font-mono text-xs">{member.macAddress || '—'}</td>
            <td className="px-4 py-2 text-xs">{member.aliases.join(', ') || '—'}</td>
            <td className="px-4 py-2 text-right">
              {canOperate && (
                <button
                  type="button"
                  onClick={() => {
                    disconnect.reset();
                    setLeaving(member);
                  }}
                  aria-label={`Disconnect ${member.name}`}
                  className="rounded px-2 py-1 text-sm text-red-700 hover:bg-red-50 dark:text-red-300 dark:hover:bg-red-950"
                >
                  Disconnect
                </button>
              )}
            </td>
          </tr>
        ))}
      </DataTable>
      {leaving && (
        // Inline, not a second <dialog>: a nested dialog's close event reaches this modal's onClose too.
        <fieldset
          aria-label={`Disconnect ${leaving.name}?`}
          className="min-w-0 space-y-2 rounded-md border border-red-200 p-3 text-sm dark:border-red-900"
        >
          <p>
            Disconnect {leaving.name}? It loses its address {leaving.ipv4Address || ''} on {network} and can
            no longer reach the other containers there by name.
          </p>
          {disconnect.isError && <ErrorNote>{disconnect.error.message}</ErrorNote>}
          <div className="flex justify-end gap-2">
            <SecondaryButton type="button" onClick={() => setLeaving(null)}>
              Cancel
            </SecondaryButton>
            <button
              type="button"
              disabled={disconnect.isPending}
              onClick={confirm}
              className="inline-flex items-center justify-center rounded-md bg-red-600 px-4 py-2 text-sm font-medium text-white hover:bg-red-700 disabled:opacity-50"
            >
              {disconnect.isPending ? 'Working…' : 'Disconnect'}
            </button>
          </div>
        </fieldset>
      )}
    </>
  );
}
