import {
  type EndpointRequest,
  HostConfigSchema,
  type ResourcesUpdate,
  StevedoreError,
} from '@stevedore/shared';
import { buildResources } from '../bundle/build-spec.js';
import { throttleDevices } from '../host-devices.js';
import { checkHostLimits } from '../host-limits.js';
import type { ContainerContext } from './service-context.js';

/** Changes to an existing container: `rename`, `update` (resources), `network connect/disconnect`. */
export class ContainerUpdater {
  constructor(private readonly ctx: ContainerContext) {}

  async rename(ref: string, newName: string): Promise<void> {
    const { store, networking } = this.ctx.deps;
    const id = store.get(ref).Id;
    await this.ctx.withLock(`name:${newName}`, () =>
      this.ctx.withLock(id, async () => {
        const record = store.get(id);
        const holder = store.byName(newName);
        if (holder && holder.Id !== id) {
          throw new StevedoreError(
            'CONFLICT',
            `Error when allocating new name: Conflict. The container name "/${newName}" is already in use by container "${holder.Id}". You have to remove (or rename) that container to be able to reuse that name.`,
          );
        }
        await store.save({ ...record, Name: newName });
        await networking.rename(id, newName);
        this.ctx.publish({ ...record, Name: newName }, 'rename', { oldName: `/${record.Name}` });
      }),
    );
  }

  /** `docker update`: new limits, applied live to a running container and kept for restarts. */
  async update(ref: string, changes: ResourcesUpdate): Promise<{ Warnings: string[] }> {
    const { store, host, runc } = this.ctx.deps;
    const id = store.get(ref).Id;
    return this.ctx.withLock(id, async () => {
      const record = store.get(id);
      const merged = { ...record.HostConfig, ...changes };
      if (
        changes.Memory !== undefined &&
        changes.MemorySwap === undefined &&
        record.HostConfig.MemorySwap > 0
      ) {
        // Docker keeps the swap share when only memory changes and swap was explicit.
        merged.MemorySwap = Math.max(record.HostConfig.MemorySwap, changes.Memory);
      }
      if (changes.NanoCpus) Object.assign(merged, { CpuPeriod: 0, CpuQuota: 0 });
      if (changes.CpuQuota !== undefined || changes.CpuPeriod !== undefined) merged.NanoCpus = 0;
      if (merged.AutoRemove && changes.RestartPolicy && !['', 'no'].includes(changes.RestartPolicy.Name)) {
        throw new StevedoreError(
          'INVALID_ARGUMENT',
          'Restart policy cannot be updated because AutoRemove is enabled for the container',
        );
      }
      const parsed = HostConfigSchema.safeParse(merged);
      if (!parsed.success) {
        throw new StevedoreError('INVALID_ARGUMENT', parsed.error.issues.map((i) => i.message).join('; '), {
          container: id,
        });
      }
      const warnings = checkHostLimits(parsed.data, host);
      if (record.State.Running) {
        const { devices: _devices, ...resources } = buildResources(parsed.data, {
          swapAccounting: host.swapAccounting,
          blkioWeight: host.blkioWeight,
          throttleRead: await throttleDevices(parsed.data.BlkioDeviceReadBps),
          throttleWrite: await throttleDevices(parsed.data.BlkioDeviceWriteBps),
        });
        // runc update leaves a limit as it is when the field is absent; "unlimited" must be said.
        resources.memory = {
          limit: -1,
          reservation: -1,
          ...(host.swapAccounting ? { swap: -1 } : {}),
          ...resources.memory,
        };
        resources.pids = resources.pids ?? { limit: -1 };
        resources.cpu = { quota: -1, ...resources.cpu };
        await runc.update(id, resources);
      }
      const updated = { ...record, HostConfig: parsed.data };
      store.update(updated);
      this.ctx.publish(updated, 'update');
      return { Warnings: warnings };
    });
  }

  async connectNetwork(ref: string, network: string, request: EndpointRequest): Promise<void> {
    const { store, networking } = this.ctx.deps;
    const id = store.get(ref).Id;
    await this.ctx.withLock(id, () => networking.connect(store.get(id), network, request));
  }

  async disconnectNetwork(ref: string, network: string): Promise<void> {
    const { store, networking } = this.ctx.deps;
    const id = store.get(ref).Id;
    await this.ctx.withLock(id, () => networking.disconnect(store.get(id), network));
  }
}
