import {
  type ContainerSummary,
  type HostSummary,
  type PresetTarget,
  parseLabelSelector,
  selectorMatches,
} from '@stevedore/shared';

/** One container a preset is aimed at, as its host's list names it. */
export interface TargetContainer {
  hostId: string;
  hostName: string;
  containerId: string;
  containerName: string;
  state: string;
}

export interface HostReach {
  hostId: string;
  hostName: string;
  error: string | null;
}

/** A picked container that could not be found (gone since, or its host did not answer). */
export interface UnresolvedTarget extends TargetContainer {
  error: string;
}

export interface ResolvedTargets {
  containers: TargetContainer[];
  unresolved: UnresolvedTarget[];
  hosts: HostReach[];
}

export interface FleetLists {
  hosts(): Promise<HostSummary[]>;
  /** Every container of a host (running or not). */
  list(hostId: string): Promise<ContainerSummary[]>;
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));
const nameOf = (summary: ContainerSummary) =>
  (summary.Names[0] ?? '').replace(/^\//, '') || summary.Id.slice(0, 12);

/**
 * The containers a target means right now, from each host's container list (one list call per
 * host, all hosts at once): the picked ones (by id, id prefix or name), or every container whose
 * labels match the selector. Hosts that do not answer are reported, not fatal.
 */
export async function resolveTargets(target: PresetTarget, fleet: FleetLists): Promise<ResolvedTargets> {
  const registered = await fleet.hosts();
  const byId = new Map(registered.map((host) => [host.id, host]));
  const wanted =
    target.kind === 'selection'
      ? [...new Set(target.containers.map((c) => c.hostId))]
      : (target.hostIds ?? registered.map((host) => host.id));
  const hosts: HostReach[] = [];
  const lists = new Map<string, ContainerSummary[]>();
  await Promise.all(
    wanted.map(async (hostId) => {
      const host = byId.get(hostId);
      if (!host) {
        hosts.push({ hostId, hostName: hostId, error: `host ${hostId} is not registered` });
        return;
      }
      try {
        lists.set(hostId, await fleet.list(hostId));
        hosts.push({ hostId, hostName: host.name, error: null });
      } catch (error) {
        hosts.push({ hostId, hostName: host.name, error: `listing containers failed: ${messageOf(error)}` });
      }
    }),
  );
  hosts.sort((a, b) => a.hostName.localeCompare(b.hostName));
  const hostName = (hostId: string) => byId.get(hostId)?.name ?? hostId;
  const row = (hostId: string, summary: ContainerSummary): TargetContainer => ({
    hostId,
    hostName: hostName(hostId),
    containerId: summary.Id,
    containerName: nameOf(summary),
    state: summary.State,
  });

  const containers: TargetContainer[] = [];
  const unresolved: UnresolvedTarget[] = [];
  if (target.kind === 'labels') {
    const terms = parseLabelSelector(target.selector);
    for (const reach of hosts) {
      for (const summary of lists.get(reach.hostId) ?? []) {
        if (selectorMatches(summary.Labels, terms)) containers.push(row(reach.hostId, summary));
      }
    }
  } else {
    const seen = new Set<string>();
    for (const { hostId, container } of target.containers) {
      const list = lists.get(hostId);
      const ref = container.replace(/^\//, '');
      const summary = list?.find(
        (c) =>
          c.Id === ref ||
          c.Names.some((n) => n.replace(/^\//, '') === ref) ||
          (ref.length >= 12 && c.Id.startsWith(ref)),
      );
      if (summary) {
        const key = `${hostId}/${summary.Id}`;
        if (!seen.has(key)) containers.push(row(hostId, summary));
        seen.add(key);
        continue;
      }
      const reach = hosts.find((h) => h.hostId === hostId);
      unresolved.push({
        hostId,
        hostName: hostName(hostId),
        containerId: ref,
        containerName: ref,
        state: 'unknown',
        error: list ? `No such container: ${ref}` : (reach?.error ?? `host ${hostId} did not answer`),
      });
    }
  }
  containers.sort(
    (a, b) => a.hostName.localeCompare(b.hostName) || a.containerName.localeCompare(b.containerName),
  );
  return { containers, unresolved, hosts };
}
