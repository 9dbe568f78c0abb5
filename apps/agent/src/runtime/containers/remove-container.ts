import { StevedoreError } from '@stevedore/shared';
import { crashPoint } from '../../util/crash-point.js';
import { volumeInUse } from './container-queries.js';
import { withTimeout } from './exit-waiters.js';
import { unmountShareableShm } from './ipc-shm.js';
import { removeRuntimeFiles } from './orphans.js';
import type { RestartPolicy } from './restart-policy.js';
import type { ContainerContext } from './service-context.js';
import { signalContainer } from './stop-container.js';

/**
 * `rm`: kills a running container when forced, then removes its layer, runtime files, network
 * endpoints and record (and with `volumes`, its anonymous volumes no other container uses).
 */
export class ContainerRemover {
  constructor(
    private readonly ctx: ContainerContext,
    private readonly restarts: Pick<RestartPolicy, 'cancel' | 'forget'>,
  ) {}

  async remove(ref: string, options: { force: boolean; volumes: boolean }): Promise<void> {
    const { store, runc, layers, networking, volumes, execRoot, log } = this.ctx.deps;
    const record = store.get(ref);
    const id = record.Id;
    if (record.State.Running || record.State.Paused) {
      if (!options.force) {
        throw new StevedoreError(
          'CONFLICT',
          `You cannot remove a ${record.State.Paused ? 'paused' : 'running'} container ${id}. Stop the container before attempting removal or force remove`,
          { container: id },
        );
      }
      await this.ctx.withLock(id, async () => store.update({ ...store.get(id), ManuallyStopped: true }));
      const exited = this.ctx.waiters.nextExit(id);
      if (record.State.Paused) {
        // SIGKILL reaches a frozen process once it thaws; if resuming fails, the wait below says so.
        await runc.resume(id).catch((error) => log.debug({ err: error, id }, 'resuming before rm failed'));
      }
      await signalContainer(this.ctx, record, 9, 'SIGKILL', true);
      if (!(await withTimeout(exited, 30_000))) {
        throw new StevedoreError('INTERNAL', `container ${record.Name} did not exit after SIGKILL`, {
          container: id,
        });
      }
    }
    this.restarts.cancel(id);
    await this.ctx.withLock(id, async () => {
      const current = store.find(id);
      if (!current) return;
      // Usually nothing left to delete (the exit released it). A process runc cannot remove keeps
      // the container (and the layer it stands on): the error says why and rm can be tried again.
      const { leftover } = await runc.deleteBeforeRemoval(id);
      if (leftover)
        log.debug({ err: leftover, id }, 'runc delete at rm failed; nothing of the container runs');
      await layers.removeContainerLayer(id);
      // Normally unmounted at exit; an agent that died in between left it (rm of the directory would stop at it).
      await unmountShareableShm(id, store);
      crashPoint('layer-removed');
      await removeRuntimeFiles(execRoot, id);
      await networking.leaveAll(id);
      await store.delete(id);
      // The layer's space is free again: state writes a full disk refused can land now.
      store.retryUnsaved();
      if (options.volumes) {
        for (const mount of current.Mounts) {
          const volume = mount.Type === 'volume' && mount.Name ? await volumes.find(mount.Name) : null;
          if (volume?.Anonymous && !volumeInUse(store, volume.Name)) await volumes.remove(volume.Name);
        }
      }
      this.restarts.forget(id);
      this.ctx.publish(current, 'destroy');
    });
    this.ctx.waiters.removed(id);
  }
}
