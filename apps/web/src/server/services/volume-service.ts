import {
  type ContainerSummary,
  type HostVolume,
  type HostVolumeCreateInput,
  HostVolumeCreateInputSchema,
  type HostVolumePruneInput,
  type HostVolumeRef,
  type HostVolumeRemoveInput,
  HostVolumeRemoveInputSchema,
  type PruneOutcome,
  type SessionUser,
  type Volume,
  type VolumePrunePreview,
  type VolumeSizes,
  type VolumeUser,
} from '@stevedore/shared';
import type { Db } from '../db/client';
import { getHost } from '../db/repositories/hosts';
import type { AgentHub } from '../hub/agent-hub';
import { agentCall, fromAgentError } from './agent-errors';
import { audited } from './audited';

/**
 * A host's volumes through the hub: listing (with the containers that mount each) for every role,
 * changes audited with their parameters. Sizes come separately: measuring walks every file.
 */
export class VolumeService {
  constructor(
    private readonly db: Db,
    private readonly hub: AgentHub,
  ) {}

  async list(hostId: string): Promise<HostVolume[]> {
    await getHost(this.db, hostId);
    return agentCall({ hostId }, () =>
      this.hub.call(hostId, async (client) => {
        const [volumes, containers] = await Promise.all([
          client.volumes.list.query({ filters: [] }),
          client.containers.list.query({ all: true }),
        ]);
        return volumes.map((volume) => hostVolume(volume, containers));
      }),
    );
  }

  async inspect({ hostId, name }: HostVolumeRef): Promise<HostVolume> {
    await getHost(this.db, hostId);
    return agentCall({ hostId, volume: name }, () =>
      this.hub.call(hostId, async (client) => {
        const [volume, containers] = await Promise.all([
          client.volumes.inspect.query({ name }),
          client.containers.list.query({ all: true }),
        ]);
        return hostVolume(volume, containers);
      }),
    );
  }

  /** Each volume's size on disk, as `system df -v` measures it. */
  async sizes(hostId: string): Promise<VolumeSizes> {
    await getHost(this.db, hostId);
    return agentCall({ hostId }, () =>
      this.hub.call(hostId, async (client) => {
        const details = await client.system.dfDetails.query();
        return Object.fromEntries(details.volumes.map((volume) => [volume.Name, Math.max(0, volume.Size)]));
      }),
    );
  }

  async create(actor: SessionUser, input: HostVolumeCreateInput): Promise<Volume> {
    const { hostId, volume } = HostVolumeCreateInputSchema.parse(input);
    await getHost(this.db, hostId);
    return audited(
      this.db,
      actor,
      { action: 'volume.create', hostId, target: volume.Name ?? null, params: { ...volume } },
      () =>
        agentCall({ hostId, volume: volume.Name }, () =>
          this.hub.call(hostId, (client) => client.volumes.create.mutate(volume)),
        ),
    );
  }

  /** Refused while a container uses the volume (force only forgives a volume that is gone already). */
  async remove(actor: SessionUser, input: HostVolumeRemoveInput): Promise<void> {
    const { hostId, name, force } = HostVolumeRemoveInputSchema.parse(input);
    await getHost(this.db, hostId);
    await audited(this.db, actor, { action: 'volume.remove', hostId, target: name, params: { force } }, () =>
      agentCall({ hostId, volume: name }, () =>
        this.hub.call(hostId, async (client) => {
          await client.volumes.remove.mutate({ name, force });
        }),
      ),
    );
  }

  /** What a prune would remove now: every volume no container (running or stopped) uses, with its size. */
  async prunePreview(hostId: string): Promise<VolumePrunePreview> {
    const [volumes, sizes] = await Promise.all([this.list(hostId), this.sizes(hostId)]);
    const unused = volumes
      .filter((row) => row.usedBy.length === 0)
      .map(({ volume }) => ({
        name: volume.Name,
        size: sizes[volume.Name] ?? 0,
        createdAt: volume.CreatedAt,
      }));
    return { volumes: unused, reclaimable: unused.reduce((sum, volume) => sum + volume.size, 0) };
  }

  /**
   * Removes the previewed volumes one by one: one a container started using since the preview is
   * kept with the engine's reason, and a volume made since the preview is never touched.
   */
  async prune(actor: SessionUser, { hostId, volumes }: HostVolumePruneInput): Promise<PruneOutcome> {
    const sizes = await this.sizes(hostId);
    return audited(this.db, actor, { action: 'volume.prune', hostId, params: { volumes } }, () =>
      this.hub.call(hostId, async (client) => {
        const outcome: PruneOutcome = { removed: [], kept: [], spaceReclaimed: 0 };
        for (const name of volumes) {
          try {
            await client.volumes.remove.mutate({ name, force: false });
            outcome.removed.push(name);
            outcome.spaceReclaimed += sizes[name] ?? 0;
          } catch (error) {
            const cause = fromAgentError(error, { hostId, volume: name });
            outcome.kept.push({ name, reason: (cause as Error).message });
          }
        }
        return outcome;
      }),
    );
  }
}

function hostVolume(volume: Volume, containers: ContainerSummary[]): HostVolume {
  const usedBy: VolumeUser[] = [];
  for (const container of containers) {
    for (const mount of container.Mounts) {
      if (mount.Type !== 'volume' || mount.Name !== volume.Name) continue;
      usedBy.push({
        id: container.Id,
        name: (container.Names[0] ?? container.Id).replace(/^\//, ''),
        state: container.State,
        destination: mount.Destination,
      });
    }
  }
  return { volume, usedBy };
}
