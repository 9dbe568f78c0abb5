'use client';

import type { HostNetwork } from '@stevedore/shared';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTRPC } from '~/trpc/react';
import { DataTable, rowClass } from '../data-table';
import { RowRemoveButton, TabHeader } from '../netvol/tab-header';
import { ErrorNote } from '../ui';
import { useEngineRefresh } from '../use-engine-refresh';
import { NetworkCreateDialog } from './network-create-dialog';
import { NetworkInspectDialog } from './network-inspect-dialog';
import { NetworkPruneDialog } from './network-prune-dialog';
import { NetworkRemoveDialog } from './network-remove-dialog';

const COLUMNS = ['Name', 'ID', 'Driver', 'Subnet', 'Gateway', 'Internal', 'Containers', ''];

/** The host's networks: the list, and (for operators granted the host) create, remove, connect, prune. */
export function NetworksTab({ hostId }: { hostId: string }) {
  const trpc = useTRPC();
  const list = useQuery(trpc.networks.list.queryOptions({ hostId }));
  const access = useQuery(trpc.hosts.access.queryOptions({ hostId }));
  const canOperate = access.data?.canOperate ?? false;
  const [creating, setCreating] = useState(false);
  const [pruning, setPruning] = useState(false);
  const [inspecting, setInspecting] = useState<string | null>(null);
  const [removing, setRemoving] = useState<HostNetwork | null>(null);
  useEngineRefresh(hostId, ['network', 'container'], [trpc.networks.pathKey()]);

  return (
    <section aria-labelledby="networks-heading" className="space-y-3">
      <TabHeader
        id="networks"
        title="Networks"
        count={list.data?.length}
        canOperate={canOperate}
        createLabel="Create network"
        onPrune={() => setPruning(true)}
        onCreate={() => setCreating(true)}
      />
      {list.isError && <ErrorNote>{list.error.message}</ErrorNote>}
      {list.isPending && <p className="text-sm text-slate-500">Loading networks…</p>}
      {list.data && (
        <DataTable columns={COLUMNS}>
          {list.data.map((row) => (
            <NetworkRow
              key={row.network.Id}
              row={row}
              canOperate={canOperate}
              onInspect={() => setInspecting(row.network.Id)}
              onRemove={() => setRemoving(row)}
            />
          ))}
        </DataTable>
      )}
      {list.data?.every((row) => row.builtIn) && (
        <p className="text-sm text-slate-600 dark:text-slate-400">
          Only the built-in networks so far.{' '}
          {canOperate
            ? 'Create a network to give a group of containers their own subnet and DNS names.'
            : 'An operator granted this host can create networks.'}
        </p>
      )}
      <NetworkCreateDialog
        hostId={hostId}
        open={creating}
        onClose={() => setCreating(false)}
        onCreated={(id) => {
          setCreating(false);
          setInspecting(id);
        }}
      />
      <NetworkInspectDialog
        hostId={hostId}
        networkId={inspecting}
        canOperate={canOperate}
        onClose={() => setInspecting(null)}
      />
      <NetworkRemoveDialog hostId={hostId} row={removing} onClose={() => setRemoving(null)} />
      <NetworkPruneDialog hostId={hostId} open={pruning} onClose={() => setPruning(false)} />
    </section>
  );
}

function NetworkRow({
  row,
  canOperate,
  onInspect,
  onRemove,
}: {
  row: HostNetwork;
  canOperate: boolean;
  onInspect(): void;
  onRemove(): void;
}) {
  const { network, members, builtIn } = row;
  const ipam = network.IPAM.Config[0];
  const running = members.filter((member) => member.running).length;
  return (
    <tr className={rowClass} data-testid={`network-row-${network.Name}`}>
      <td className="px-4 py-2 font-medium">
        <button
          type="button"
          onClick={onInspect}
          className="text-sky-700 hover:underline focus-visible:outline focus-visible:outline-2 focus-visible:outline-sky-500 dark:text-sky-400"
        >
          {network.Name}
        </button>
        {builtIn && <span className="ml-2 text-xs text-slate-500">built-in</span>}
      </td>
      <td className="px-4 py-2 font-mono text-xs" title={network.Id}>
        {network.Id.slice(0, 12)}
      </td>
      <td className="px-4 py-2">{network.Driver}</td>
      <td className="px-4 py-2 font-mono text-xs">{ipam?.Subnet ?? '—'}</td>
      <td className="px-4 py-2 font-mono text-xs">{ipam?.Gateway ?? '—'}</td>
      <td className="px-4 py-2">{network.Internal ? 'yes' : 'no'}</td>
      <td className="px-4 py-2" data-testid="network-containers">
        {members.length}
        {members.length > running && (
          <span className="ml-1 text-xs text-slate-500">({members.length - running} stopped)</span>
        )}
      </td>
      <td className="px-4 py-2 text-right">
        {canOperate && !builtIn && (
          <RowRemoveButton label={`Remove network ${network.Name}`} onClick={onRemove} />
        )}
      </td>
    </tr>
  );
}
