import type { Readable } from 'node:stream';
import { StevedoreError } from '@stevedore/shared';
import { applyChanges } from '../../images/commit-changes.js';
import { diffArchive } from '../../storage/overlay2/diff-archive.js';
import { crashPoint } from '../../util/crash-point.js';
import type { ContainerRecord } from './container-record.js';
import { processArgs } from './image-defaults.js';
import { archiveFromContainer, exportRootfs, extractIntoContainer } from './rootfs-archive.js';
import type { ContainerServiceDeps } from './service-context.js';

/** What the file operations need of the agent: the containers' records and layers, runc, commit. */
export type ContainerFilesystemDeps = Pick<
  ContainerServiceDeps,
  'store' | 'layers' | 'runc' | 'remap' | 'commitImage' | 'log'
>;

/** What the file operations share with the container service: its lock per container, its events. */
export interface ContainerFilesystemHooks {
  withLock<T>(key: string, fn: () => Promise<T>): Promise<T>;
  publish(record: ContainerRecord, action: string, extra?: Record<string, string>): void;
}

/**
 * A container's files from outside: `export`, `cp` in both directions, and `commit`. A stopped
 * container's layer is mounted for the operation and unmounted after it, under the container's lock.
 */
export class ContainerFilesystem {
  constructor(
    private readonly deps: ContainerFilesystemDeps,
    private readonly hooks: ContainerFilesystemHooks,
  ) {}

  /** Operations holding a stopped container's layer mounted, by container id. */
  private readonly mounts = new Map<string, number>();

  /**
   * The container's root for reading or writing files: a running container's as it is, a stopped
   * one's mounted until `release` (Docker does the same for export and cp). Mounts of a stopped
   * container are counted, so concurrent `export`, `cp` and `commit` never unmount each other's view.
   */
  private async openRootfs(
    ref: string,
    /** Through the container's own mount namespace (`/proc/<pid>/root`), so volumes and its /etc files show. */
    asSeenInside = false,
  ): Promise<{ rootfs: string; release: () => Promise<void> }> {
    const id = this.deps.store.get(ref).Id;
    const running = () => this.deps.store.find(id)?.State.Running ?? false;
    if (running()) {
      const pid = this.deps.store.get(id).State.Pid;
      return {
        rootfs: asSeenInside ? `/proc/${pid}/root` : this.deps.layers.mergedDir(id),
        release: async () => {},
      };
    }
    const rootfs = await this.hooks.withLock(id, async () => {
      const mounted = await this.deps.layers.mountContainerLayer(id);
      this.mounts.set(id, (this.mounts.get(id) ?? 0) + 1);
      return mounted;
    });
    return {
      rootfs,
      release: () =>
        this.hooks.withLock(id, async () => {
          const users = (this.mounts.get(id) ?? 1) - 1;
          if (users > 0) {
            this.mounts.set(id, users);
            return;
          }
          this.mounts.delete(id);
          if (running()) return;
          await this.deps.layers.unmountContainerLayer(id).catch((error: unknown) => {
            // EBUSY: something still has files open there; the next removal or start unmounts it.
            this.deps.log.warn(
              { container: id, err: error },
              'could not unmount the container layer after a file operation',
            );
          });
        }),
    };
  }

  private async withRootfs<T>(
    ref: string,
    fn: (rootfs: string) => Promise<T>,
    asSeenInside = false,
  ): Promise<T> {
    const { rootfs, release } = await this.openRootfs(ref, asSeenInside);
    try {
      return await fn(rootfs);
    } finally {
      await release();
    }
  }

  /** `docker export`: the filesystem as a tar, as it is produced. */
  async *exportTar(ref: string, signal: AbortSignal): AsyncGenerator<Buffer> {
    // Like Docker's export: the container's own filesystem, without volumes mounted into it.
    yield* this.streamArchive(ref, exportRootfs, signal, false);
  }

  /** `docker cp CONTAINER:PATH -`: a tar of that path. */
  async *copyFrom(ref: string, path: string, signal: AbortSignal): AsyncGenerator<Buffer> {
    yield* this.streamArchive(ref, (rootfs) => archiveFromContainer(rootfs, path), signal, true);
  }

  private async *streamArchive(
    ref: string,
    open: (rootfs: string) => Readable,
    signal: AbortSignal,
    asSeenInside: boolean,
  ): AsyncGenerator<Buffer> {
    const { rootfs, release } = await this.openRootfs(ref, asSeenInside);
    try {
      const archive = open(rootfs);
      try {
        for await (const chunk of archive) {
          if (signal.aborted) return;
          yield chunk as Buffer;
        }
      } finally {
        archive.destroy();
      }
    } finally {
      await release();
    }
  }

  /** `docker cp ... CONTAINER:PATH`: a tar, streamed, unpacked at that path. */
  async copyTo(ref: string, path: string, archive: Readable): Promise<void> {
    const record = this.deps.store.get(ref);
    await this.withRootfs(ref, (rootfs) => {
      crashPoint('cp-mounted');
      return extractIntoContainer(rootfs, path, archive);
    });
    this.hooks.publish(record, 'extract-to-dir', { path });
  }

  /**
   * `docker commit`: the container's writable layer becomes a new image on top of its image,
   * with the container's config (plus `changes`). A running container is paused meanwhile
   * unless `pause` is false, so the layer is captured consistently.
   */
  async commit(
    ref: string,
    options: { tag: string | null; author: string; comment: string; changes: string[]; pause: boolean },
  ): Promise<string> {
    const record = this.deps.store.get(ref);
    if (!this.deps.commitImage) throw new StevedoreError('UNAVAILABLE', 'commit is not wired on this agent');
    const base = {
      User: record.Config.User,
      Env: record.Config.Env,
      Cmd: record.Config.Cmd ?? undefined,
      Entrypoint: record.Config.Entrypoint ?? undefined,
      WorkingDir: record.Config.WorkingDir,
      ExposedPorts: record.Config.ExposedPorts,
      Volumes: record.Config.Volumes,
      Labels: record.Config.Labels,
      ...(record.Config.StopSignal ? { StopSignal: record.Config.StopSignal } : {}),
    };
    const config = applyChanges(base, options.changes);
    const pause = options.pause && record.State.Running && !record.State.Paused;
    if (pause) await this.deps.runc.pause(record.Id);
    try {
      const id = await this.deps.commitImage({
        parentId: record.ImageId,
        layer: diffArchive(this.deps.layers.upperDir(record.Id), this.deps.remap?.map ?? null),
        config,
        comment: options.comment,
        author: options.author,
        createdBy: processArgs(record.Config).join(' '),
        tag: options.tag,
      });
      this.hooks.publish(record, 'commit', {
        imageID: id,
        ...(options.tag ? { comment: options.comment } : {}),
      });
      return id;
    } finally {
      if (pause) {
        await this.deps.runc.resume(record.Id).catch((error: unknown) => {
          // The commit's own outcome is what the caller needs; a container left paused shows in ps.
          this.deps.log.warn(
            { container: record.Id, err: error },
            'could not resume the container after commit',
          );
        });
      }
    }
  }
}
