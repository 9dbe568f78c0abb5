import { type FSWatcher, watch } from 'node:fs';
import { readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { crashPoint } from '../../util/crash-point.js';
import { unmountLocalVolume } from '../../volumes/local-driver.js';
import type { ContainerRecord } from './container-record.js';
import { withTimeout } from './exit-waiters.js';
import { unmountShareableShm } from './ipc-shm.js';
import { removeSocketLink } from './orphans.js';
import type { RestartPolicy } from './restart-policy.js';
import type { ContainerContext } from './service-context.js';

/** What the exit monitor needs of the rest of the service. */
export interface ExitHooks {
  /** The container stopped: its log no longer grows. */
  releaseLog(id: string): Promise<void>;
  /** `--rm`. */
  remove(id: string, options: { force: boolean; volumes: boolean }): Promise<void>;
}

/**
 * The end of a container: conmon writes `<exit-dir>/<id>`, the monitor records the exit status,
 * undoes what the running container held on the host (runc state, network, mount) and applies
 * the restart policy or `--rm`.
 */
export class ExitMonitor {
  private watcher: FSWatcher | null = null;
  /** Whether the records are loaded (until then an exit file may belong to an unloaded one). */
  private loaded = false;
  /**
   * Exits told to an attached `run` whose clean-up (and `--rm` removal) is still under way; every
   * other API request waits for them (`settled`), so nothing else sees a half-released container.
   */
  private readonly settling = new Map<string, { done: Promise<void>; resolve: () => void }>();

  constructor(
    private readonly ctx: ContainerContext,
    private readonly restarts: RestartPolicy,
    private readonly hooks: ExitHooks,
  ) {}

  /** Watches the exit directory (before the records are loaded, so no exit is missed). */
  watch(): void {
    this.watcher = watch(this.ctx.exitDir, (_event, name) => {
      if (name && /^[a-f0-9]{64}$/.test(name)) {
        this.noticeExit(name).catch((error) =>
          this.ctx.deps.log.error({ err: error, id: name }, 'handling a container exit failed'),
        );
      }
    });
  }

  recordsLoaded(): void {
    this.loaded = true;
  }

  close(): void {
    this.watcher?.close();
  }

  /** conmon wrote `<exit-dir>/<id>`: record how the container ended, then apply its policies. */
  private async noticeExit(id: string): Promise<void> {
    const { store } = this.ctx.deps;
    let recorded = false;
    try {
      const handled = await this.ctx.withLock(id, async () => {
        const record = store.find(id);
        if (!record || !(record.State.Running || record.State.Paused)) {
          // The end of a container never started or already gone (a failed start, an orphan
          // killed at start-up): nothing reads this file. Before the records are loaded, it may
          // be a real exit that start-up has yet to record.
          if (this.loaded && store.isSaved(id)) await rm(join(this.ctx.exitDir, id), { force: true });
          return null;
        }
        const text = await readFile(join(this.ctx.exitDir, id), 'utf8').catch(() => null);
        if (text === null || text.trim() === '') return null; // not written completely yet
        recorded = true;
        return this.recordExit(record, Number.parseInt(text.trim(), 10), '', await this.exitTime(id));
      });
      if (handled) await this.afterExit(handled);
    } finally {
      // Only the call that recorded the exit settles it (the exit directory is watched, and one
      // exit file can wake this several times).
      if (recorded) {
        this.settling.get(id)?.resolve();
        this.settling.delete(id);
      }
    }
  }

  /** When conmon wrote the exit file: the container's end, even if the agent learns of it later. */
  async exitTime(id: string): Promise<Date | undefined> {
    return (await stat(join(this.ctx.exitDir, id)).catch(() => null))?.mtime;
  }

  async recordExit(
    record: ContainerRecord,
    exitCode: number,
    error = '',
    finishedAt = new Date(),
  ): Promise<ContainerRecord> {
    const { store, log } = this.ctx.deps;
    const { waiters } = this.ctx;
    const id = record.Id;
    const oomKilled = await readFile(join(this.ctx.runtimeDir(id), 'oom'))
      .then(() => true)
      .catch(() => false);
    const exited: ContainerRecord = {
      ...record,
      State: {
        ...record.State,
        Status: 'exited',
        Running: false,
        Paused: false,
        Restarting: false,
        OOMKilled: oomKilled,
        Pid: 0,
        ExitCode: Number.isNaN(exitCode) ? 255 : exitCode,
        Error: error,
        FinishedAt: finishedAt.toISOString(),
      },
    };
    await this.hooks.releaseLog(id);
    store.update(exited);
    // Normally on disk before anything else happens; a full disk only delays the rest a little.
    await store.written(id);
    // conmon writes the exit file after the last output is in the log, so an attached `run` can
    // end now; what follows is undone under this container's lock, before anything else touches
    // it (and by the next agent's reconcile, if this one dies first).
    if (waiters.hasExitStatusWaiter(id) && !this.settling.has(id)) {
      let resolve = () => {};
      const done = new Promise<void>((r) => {
        resolve = r;
      });
      this.settling.set(id, { done, resolve });
    }
    waiters.exitStatusKnown(id, { StatusCode: exited.State.ExitCode, OOMKilled: oomKilled });
    crashPoint('exit-recorded');
    await this.releaseRuntime(id);
    // Until the record is on disk (a full disk delays that), the exit file is all a restarted
    // agent would have of this exit.
    void store
      .saved(id)
      .then(() => this.removeExitFile(id, finishedAt))
      .catch((e) => log.warn({ err: e, id }, 'removing the exit file failed'));
    if (oomKilled) this.ctx.publish(exited, 'oom');
    this.ctx.publish(exited, 'die', { exitCode: String(exited.State.ExitCode) });
    waiters.exited(id);
    return exited;
  }

  /** Removes the exit file written at `writtenAt`, not a newer one of a later run. */
  private async removeExitFile(id: string, writtenAt: Date): Promise<void> {
    const file = join(this.ctx.exitDir, id);
    const current = await stat(file).catch(() => null);
    if (current?.mtime.getTime() === writtenAt.getTime()) await rm(file, { force: true });
  }

  /** What a started container holds on the host: runc's state and cgroup, its network, its mount. */
  async releaseRuntime(id: string): Promise<void> {
    const { runc, networking, layers, log, execRoot } = this.ctx.deps;
    // runc's state and cgroup, and the network, are independent; the rootfs waits for runc
    // (with a shared pid namespace, processes may outlive the init until runc kills them).
    await Promise.all([
      runc.delete(id, true).catch((e) => log.warn({ err: e, id }, 'runc delete failed')),
      networking.tearDown(id).catch((e) => log.warn({ err: e, id }, 'removing the network namespace failed')),
    ]);
    await layers
      .unmountContainerLayer(id)
      .catch((e) => log.warn({ err: e, id }, 'unmounting the container layer failed'));
    await unmountShareableShm(id, this.ctx.deps.store).catch((e) =>
      log.warn({ err: e, id }, 'unmounting the shareable /dev/shm failed'),
    );
    await this.unmountUnusedVolumes(id);
    await removeSocketLink(execRoot, id);
  }

  /** Volumes with a mount of their own (`--opt type=tmpfs`) are unmounted once no running container uses them. */
  private async unmountUnusedVolumes(id: string): Promise<void> {
    const { store, volumes, log } = this.ctx.deps;
    const names = (store.find(id)?.Mounts ?? []).flatMap((mount) =>
      mount.Type === 'volume' && mount.Name ? [mount.Name] : [],
    );
    for (const name of names) {
      const stillUsed = store
        .all()
        .some((other) => other.Id !== id && other.State.Running && other.Mounts.some((m) => m.Name === name));
      if (stillUsed) continue;
      const volume = await volumes.find(name);
      if (volume)
        await unmountLocalVolume(volume).catch((e) =>
          log.warn({ err: e, id, volume: name }, 'unmounting a volume failed'),
        );
    }
  }

  /** Restart policy, then `--rm`. */
  async afterExit(record: ContainerRecord): Promise<void> {
    if (this.restarts.shouldRestart(record)) {
      this.restarts.schedule(record);
      return;
    }
    if (record.HostConfig.AutoRemove) {
      await this.hooks
        .remove(record.Id, { force: false, volumes: true })
        .catch((error) => this.ctx.deps.log.warn({ err: error, id: record.Id }, 'auto-remove failed'));
    }
  }

  /** Resolves once every exit already told to an attached `run` is cleaned up (and removed, for `--rm`). */
  async settled(): Promise<void> {
    if (this.settling.size === 0) return;
    // Bounded: a clean-up that hangs (a stuck runc) must not stall every other request.
    await withTimeout(Promise.all([...this.settling.values()].map(({ done }) => done)), 10_000);
  }
}
