import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import {
  bytesSize,
  type ContainerLimits,
  type EndpointRequest,
  type HostConfig,
  HostConfigSchema,
  type ResourcesUpdate,
  StevedoreError,
  type UpdateResult,
} from '@stevedore/shared';
import { checkHostLimits } from '../host-limits.js';
import { CgroupWriteError, v1Writes, v2Writes, writeCgroupFiles } from '../limits/cgroup-writer.js';
import type { ContainerLimitsReader } from '../limits/container-limits.js';
import { changedFields, mergeUpdate, refusedFields } from '../limits/merge-update.js';
import { readWhole } from '../stats/cgroup-counters.js';
import type { ContainerRecord } from './container-record.js';
import type { ContainerContext } from './service-context.js';

/** Changes to an existing container: `rename`, `update` (resources, read back by `limits`), `network connect/disconnect`. */
export class ContainerUpdater {
  constructor(
    private readonly ctx: ContainerContext,
    private readonly limitsReader: ContainerLimitsReader,
  ) {}

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

  /**
   * `docker update`: new limits, applied live to a running container, read back from its cgroup
   * and kept for restarts. A change the kernel refuses changes nothing: the previous limits are
   * applied again and the stored configuration stays as it was.
   */
  async update(ref: string, changes: ResourcesUpdate): Promise<UpdateResult> {
    const { store, host } = this.ctx.deps;
    const id = store.get(ref).Id;
    return this.ctx.withLock(id, async () => {
      const record = store.get(id);
      const merged = mergeUpdate(record.HostConfig, changes);
      if (merged.AutoRemove && changes.RestartPolicy && !['', 'no'].includes(changes.RestartPolicy.Name)) {
        throw new StevedoreError(
          'INVALID_ARGUMENT',
          'Restart policy cannot be updated because AutoRemove is enabled for the container',
        );
      }
      const parsed = HostConfigSchema.safeParse(merged);
      if (!parsed.success) {
        throw new StevedoreError(
          'INVALID_ARGUMENT',
          parsed.error.issues.map((i) => `${i.path.join('.') || 'update'}: ${i.message}`).join('; '),
          { container: id },
        );
      }
      const warnings = checkHostLimits(parsed.data, host);
      const updated = { ...record, HostConfig: parsed.data };
      // Every limit is written even when unchanged: applying the same values again repairs drift.
      const live = record.State.Running && Object.keys(changes).some((key) => key !== 'RestartPolicy');
      if (live) await this.applyLive(record, parsed.data);
      try {
        await store.save(updated);
      } catch (error) {
        const restored = live ? ` ${await this.restoreLimits(record, error)}` : '';
        throw new StevedoreError(
          'INTERNAL',
          `Cannot update container ${record.Name}: the new configuration could not be saved (${(error as Error).message}).${restored}`,
          { container: id },
          { cause: error },
        );
      }
      this.ctx.publish(updated, 'update');
      return { Warnings: warnings, limits: this.limits(updated) };
    });
  }

  /** The container's limits as its cgroup holds them, beside its configuration. */
  limits(record: ContainerRecord): ContainerLimits {
    return this.limitsReader.read({
      id: record.Id,
      running: record.State.Running,
      hostConfig: record.HostConfig,
      cgroupsPath: this.ctx.cgroupsPath(record.Id),
    });
  }

  /**
   * Writes every limit to the container's cgroup files itself: `runc update` costs a Go process
   * start (about 90 ms on a loaded host, most of the budget for "update → new value in the file").
   * runc's own state keeps the limits the container started with; the agent never asks runc to
   * update, and a start builds its spec from the stored HostConfig.
   */
  private async writeLimits(id: string, hostConfig: HostConfig): Promise<void> {
    const { host } = this.ctx.deps;
    const cgroupsPath = this.ctx.cgroupsPath(id);
    const pathOf = (file: string) => this.limitsReader.filePath(cgroupsPath, file);
    const capacity = this.limitsReader.capacity();
    const weightFiles =
      host.cgroupVersion === '1' ? ['blkio.weight', 'blkio.bfq.weight'] : ['io.bfq.weight', 'io.weight'];
    const facts = {
      swapAccounting: host.swapAccounting,
      blkioWeightFile: weightFiles.find((file) => existsSync(pathOf(file))) ?? null,
      allCpus: capacity.cpuList,
      allMemoryNodes: capacity.memoryNodes,
    };
    const writes =
      host.cgroupVersion === '1'
        ? v1Writes(hostConfig, facts, { memsw: readWhole(pathOf('memory.memsw.limit_in_bytes')) })
        : v2Writes(hostConfig, facts);
    await writeCgroupFiles((file) => dirname(pathOf(file)), writes);
  }

  /** EBUSY on memory, told as runc tells it: how much the container holds that the kernel could not reclaim. */
  private memoryInUse(id: string): string {
    const file = this.ctx.deps.host.cgroupVersion === '1' ? 'memory.usage_in_bytes' : 'memory.current';
    const usage = readWhole(this.limitsReader.filePath(this.ctx.cgroupsPath(id), file))?.trim();
    return usage ? `; the container uses ${bytesSize(Number(usage))} (${usage} bytes)` : '';
  }

  private async applyLive(record: ContainerRecord, next: HostConfig): Promise<void> {
    try {
      await this.writeLimits(record.Id, next);
    } catch (error) {
      const usage =
        error instanceof CgroupWriteError && error.code === 'EBUSY' && error.file.startsWith('memory.')
          ? this.memoryInUse(record.Id)
          : '';
      const kernel = `${(error as Error).message}${usage}`;
      const fields = refusedFields(kernel, changedFields(record.HostConfig, next));
      const restored = await this.restoreLimits(record, error);
      throw new StevedoreError(
        'FAILED_PRECONDITION',
        `Cannot update container ${record.Name}: the kernel refused ${fields.join(', ')}: ${kernel}. ${restored}`,
        { container: record.Id, fields },
        { cause: error },
      );
    }
  }

  /** Writes the record's own limits again after a failed change (files before the refused one were written). */
  private async restoreLimits(record: ContainerRecord, cause: unknown): Promise<string> {
    try {
      await this.writeLimits(record.Id, record.HostConfig);
      return 'Nothing was changed.';
    } catch (error) {
      this.ctx.deps.log.warn(
        { err: error, id: record.Id, cause: (cause as Error).message },
        'could not restore the limits after a failed update',
      );
      return `Restoring the previous limits failed too (${(error as Error).message}): read them with \`stevedore inspect\`.`;
    }
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
