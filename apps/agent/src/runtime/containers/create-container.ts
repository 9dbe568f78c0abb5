import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type ContainerCreate, StevedoreError } from '@stevedore/shared';
import type { ImageForContainer } from '../../images/image-queries.js';
import { crashPoint } from '../../util/crash-point.js';
import { throttleDevices } from '../host-devices.js';
import { checkHostLimits } from '../host-limits.js';
import { logLimits } from '../logs/log-limits.js';
import { type ContainerRecord, initialState } from './container-record.js';
import { applyImageConfig, processArgs } from './image-defaults.js';
import { resolveMounts } from './mounts.js';
import { generateName } from './names.js';
import { checkRunOptions } from './run-options.js';
import type { ContainerContext } from './service-context.js';

/**
 * `create`: checks the request against the host, resolves the image, holds the name, joins the
 * networks, makes the writable layer and saves the record with the container's /etc files.
 */
export class ContainerCreator {
  /** Generated names not yet saved in a record, so concurrent creates never draw the same one. */
  private readonly generatedNames = new Set<string>();

  constructor(private readonly ctx: ContainerContext) {}

  async create(input: ContainerCreate): Promise<{ Id: string; Warnings: string[] }> {
    const { deps } = this.ctx;
    const { host } = deps;
    const warnings = checkHostLimits(input.HostConfig, host);
    if (deps.remap && (input.HostConfig.Privileged || input.HostConfig.NetworkMode === 'host')) {
      throw new StevedoreError(
        'INVALID_ARGUMENT',
        `${input.HostConfig.Privileged ? '--privileged' : '--network host'} is incompatible with user namespaces: this agent runs with --userns-remap`,
      );
    }
    if (input.HostConfig.Init && !host.initBinary) {
      throw new StevedoreError(
        'FAILED_PRECONDITION',
        '--init needs tini installed on the host (Debian package "tini")',
      );
    }
    logLimits({}, input.HostConfig.LogConfig.Config);
    // Device paths are checked now, not at start: a bad one is a create error, as in Docker.
    await throttleDevices([...input.HostConfig.BlkioDeviceReadBps, ...input.HostConfig.BlkioDeviceWriteBps]);
    await checkRunOptions(input, deps.store);
    const id = randomBytes(32).toString('hex');
    const { image, release } = await deps.claimImage(input.Config.Image, id);
    try {
      return await this.createClaimed(input, id, image, warnings);
    } finally {
      // Saved or failed: from here the record (or nothing) stands on the image.
      release();
    }
  }

  private async createClaimed(
    input: ContainerCreate,
    id: string,
    image: ImageForContainer,
    warnings: string[],
  ): Promise<{ Id: string; Warnings: string[] }> {
    const { deps } = this.ctx;
    const { store } = deps;
    const config = applyImageConfig(input, image.config, id);
    if (processArgs(config).length === 0) {
      throw new StevedoreError('INVALID_ARGUMENT', 'No command specified', { image: input.Config.Image });
    }
    // A generated name is held from now on, so concurrent creates never draw the same one.
    const name =
      input.name ??
      generateName(
        (candidate) => store.byName(candidate) !== undefined || this.generatedNames.has(candidate),
      );
    if (!input.name) this.generatedNames.add(name);
    return this.ctx
      .withLock(`name:${name}`, async () => {
        const holder = store.byName(name);
        if (holder) {
          throw new StevedoreError(
            'CONFLICT',
            `Conflict. The container name "/${name}" is already in use by container "${holder.Id}". You have to remove (or rename) that container to be able to reuse that name.`,
            { name },
          );
        }
        const mounts = await resolveMounts(
          config,
          input.HostConfig,
          deps.volumes,
          (ref) => store.get(ref).Mounts,
        );
        const record: ContainerRecord = {
          Id: id,
          Name: name,
          Created: new Date().toISOString(),
          ImageName: input.Config.Image,
          ImageId: image.id,
          ImageChainId: image.topChainId,
          Config: config,
          HostConfig: input.HostConfig,
          State: initialState(),
          RestartCount: 0,
          ManuallyStopped: false,
          Mounts: mounts,
        };
        try {
          warnings.push(...(await deps.networking.join(record, input)));
          crashPoint('network-joined');
          await deps.remap?.prepare(image.chainIds);
          await deps.layers.createContainerLayer(id, image.topChainId);
          await deps.remap?.adoptContainerLayer(id);
          crashPoint('layer-created');
          await store.save(record);
          await writeEtcFiles(this.ctx, record, await deps.networking.fixedEtcFiles(record));
        } catch (error) {
          // The create failed with `error`; what undoing it leaves behind, start-up's orphan sweep removes.
          const undoFailed = (step: string) => (undoError: unknown) =>
            deps.log.debug({ err: undoError, id }, `undoing a failed create: ${step} failed`);
          await deps.networking.leaveAll(id).catch(undoFailed('leaving the networks'));
          await deps.layers.removeContainerLayer(id).catch(undoFailed('removing the layer'));
          await store.delete(id).catch(undoFailed('deleting the record'));
          throw error;
        }
        this.ctx.publish(record, 'create');
        return { Id: id, Warnings: warnings };
      })
      .finally(() => this.generatedNames.delete(name));
  }
}

/** The container's own /etc/hostname, /etc/hosts and /etc/resolv.conf, kept beside its record. */
export async function writeEtcFiles(
  ctx: ContainerContext,
  record: ContainerRecord,
  files: { hosts: string; resolvConf: string; hostname: string },
): Promise<void> {
  const dir = ctx.deps.store.containerDir(record.Id);
  await writeFile(join(dir, 'hostname'), `${files.hostname}\n`, { mode: 0o644 });
  await writeFile(join(dir, 'hosts'), files.hosts, { mode: 0o644 });
  await writeFile(join(dir, 'resolv.conf'), files.resolvConf, { mode: 0o644 });
}
