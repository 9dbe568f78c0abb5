import { randomBytes } from 'node:crypto';
import { existsSync, type FSWatcher, readFileSync, watch } from 'node:fs';
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { hostname as osHostname } from 'node:os';
import { join } from 'node:path';
import {
  type AttachEvent,
  type ContainerCreate,
  type ContainerInspect,
  type ContainerSummary,
  type EndpointRequest,
  HostConfigSchema,
  type LogLine,
  normalizeSignal,
  type PruneReport,
  type PublishedPort,
  type ResourcesUpdate,
  StevedoreError,
  type TopResult,
  type WaitResult,
} from '@stevedore/shared';
import type { EventBus } from '../../events/event-bus.js';
import type { HostResources } from '../../host/host-resources.js';
import type { ImageService } from '../../images/image-service.js';
import { makeDirectoryInRoot } from '../../storage/confined/resolve-in-root.js';
import type { Overlay2Store } from '../../storage/overlay2/layer-store.js';
import { BoundedQueue } from '../../util/bounded-queue.js';
import { crashPoint } from '../../util/crash-point.js';
import { diskUsage } from '../../util/disk-usage.js';
import { execFile } from '../../util/exec.js';
import { KeyedLock } from '../../util/keyed-lock.js';
import type { Logger } from '../../util/logger.js';
import { parseTimeBound } from '../../util/time-bound.js';
import type { VolumeStore } from '../../volumes/volume-store.js';
import { attachToConmon, type ConmonAttachment } from '../attach/conmon-attach.js';
import { buildResources, buildSpec } from '../bundle/build-spec.js';
import { DEFAULT_STOP_TIMEOUT_SECONDS } from '../bundle/default-profile.js';
import { hostDevices, throttleDevices } from '../host-devices.js';
import { checkHostLimits } from '../host-limits.js';
import { DEFAULT_LOG_LIMITS, type LogLimits, logLimits } from '../logs/log-limits.js';
import { rotateBeforeStart } from '../logs/log-rotation.js';
import { LogRotationWatcher } from '../logs/log-rotation-watcher.js';
import { streamLog } from '../logs/log-stream.js';
import { cleanRuntimeMessage, launchConmon } from '../oci/conmon.js';
import type { Runc } from '../oci/runc.js';
import { lookupUser } from '../rootfs/users.js';
import type { SampledContainer } from '../stats/stats-sampler.js';
import type { RemappedLayers } from '../userns/remapped-layers.js';
import { ContainerFilesystem } from './container-filesystem.js';
import { ContainerNetworking, usesNetworkService } from './container-networking.js';
import { type ContainerRecord, initialState } from './container-record.js';
import type { ContainerStore } from './container-store.js';
import { applyImageConfig, processArgs, processEnv } from './image-defaults.js';
import { resolveMounts, specMounts } from './mounts.js';
import { generateName } from './names.js';
import { removeOrphans, removeRuntimeFiles, removeSocketLink } from './orphans.js';
import { statusText } from './status-text.js';

/** The image a container is created from, as the image service resolves it. */
export interface ImageForContainer {
  id: string;
  topChainId: string;
  /** Every layer, bottom first. */
  chainIds: string[];
  config: Parameters<typeof applyImageConfig>[1];
}

export interface ContainerServiceDeps {
  store: ContainerStore;
  layers: Overlay2Store;
  volumes: VolumeStore;
  runc: Runc;
  conmonBinary: string;
  events: EventBus;
  host: HostResources;
  resolveImage(reference: string): Promise<ImageForContainer>;
  /** `--userns-remap`: the mapping and the remapped copies of image layers (`layers` is their store). */
  remap?: RemappedLayers | null;
  /** Creates an image from a container layer (the image service's commit). */
  commitImage?: ImageService['commit'];
  /** Bridge and user networks: addresses, namespaces, published ports. */
  networking: ContainerNetworking;
  execRoot: string;
  cgroupParent: string | null;
  /** Default `log-opts` of the agent (max-size applies to conmon's log). */
  logOpts: Record<string, string>;
  log: Logger;
}

type WaitCondition = 'not-running' | 'next-exit' | 'removed';

export interface LogOptions {
  follow: boolean;
  tail: number | null;
  since: string | null;
  until: string | null;
}

const MAX_RESTART_DELAY_MS = 60_000;
/** Bytes of base64 output an attach may have queued for its client before output is dropped. */
const ATTACH_OUTPUT_HIGH_WATER_MARK = 4 * 1024 * 1024;
const RESET_BACKOFF_AFTER_MS = 10_000;

/**
 * The container lifecycle: create, start under conmon, stop, kill, remove, restart policies and
 * re-adoption after an agent restart. State changes of one container are serialized.
 */
export class ContainerService {
  private readonly locks = new KeyedLock();
  private readonly generatedNames = new Set<string>();
  private readonly exitWaiters = new Map<string, Set<() => void>>();
  /** Told the exit status as soon as it is known, before the namespace and mounts are undone. */
  private readonly exitStatusWaiters = new Map<string, Set<(status: WaitResult) => void>>();
  /**
   * Exits told to an attached `run` whose clean-up (and `--rm` removal) is still under way; every
   * other API request waits for them (`settled`), so nothing else sees a half-released container.
   */
  private readonly settling = new Map<string, { done: Promise<void>; resolve: () => void }>();
  private readonly removeWaiters = new Map<string, Set<() => void>>();
  private readonly restartTimers = new Map<string, NodeJS.Timeout>();
  private readonly restartDelays = new Map<string, number>();
  private watcher: FSWatcher | null = null;
  /** Whether the records are loaded (until then an exit file may belong to an unloaded one). */
  private loaded = false;
  private readonly logRotation: LogRotationWatcher;
  private readonly attachments = new Map<string, ConmonAttachment>();

  /** `export`, `cp` in and out, `commit`. */
  readonly files: ContainerFilesystem;

  private constructor(private readonly deps: ContainerServiceDeps) {
    this.logRotation = new LogRotationWatcher(deps.log);
    this.files = new ContainerFilesystem(deps, {
      withLock: (key, fn) => this.withLock(key, fn),
      publish: (record, action, extra) => this.publish(record, action, extra),
    });
  }

  static async create(deps: ContainerServiceDeps): Promise<ContainerService> {
    const service = new ContainerService(deps);
    await mkdir(service.exitDir, { recursive: true, mode: 0o700 });
    await mkdir(join(deps.execRoot, 'containers'), { recursive: true, mode: 0o700 });
    await mkdir(join(deps.execRoot, 'sockets'), { recursive: true, mode: 0o700 });
    service.watcher = watch(service.exitDir, (_event, name) => {
      if (name && /^[a-f0-9]{64}$/.test(name)) {
        service
          .noticeExit(name)
          .catch((error) => deps.log.error({ err: error, id: name }, 'handling a container exit failed'));
      }
    });
    await deps.store.load();
    service.loaded = true;
    await service.reconcile();
    return service;
  }

  private get exitDir(): string {
    return join(this.deps.execRoot, 'exits');
  }

  private runtimeDir(id: string): string {
    return join(this.deps.execRoot, 'containers', id);
  }

  private logPath(id: string): string {
    return join(this.deps.store.containerDir(id), `${id}.log`);
  }

  /** max-size / max-file for a container: its own --log-opt, else the agent's log-opts, else the defaults. */
  private logLimits(record: ContainerRecord): LogLimits | null {
    return logLimits(this.deps.logOpts, record.HostConfig.LogConfig.Config);
  }

  /** How many files a log may span; reading works even when the options became invalid since. */
  private logFilesToRead(record: ContainerRecord): number {
    try {
      return this.logLimits(record)?.maxFiles ?? 1;
    } catch {
      return DEFAULT_LOG_LIMITS.maxFiles;
    }
  }

  private watchLog(record: ContainerRecord): void {
    const limits = this.logLimits(record);
    if (limits) this.logRotation.watch(record.Id, this.logPath(record.Id), limits.maxFiles);
  }

  // ---- queries -------------------------------------------------------------------------------

  list(all: boolean, filters: string[] = []): ContainerSummary[] {
    const now = Date.now();
    return this.deps.store
      .all()
      .filter((record) => all || record.State.Running)
      .filter((record) => filters.every((filter) => this.matches(record, filter)))
      .sort((a, b) => b.Created.localeCompare(a.Created))
      .map((record) => ({
        Id: record.Id,
        Names: [`/${record.Name}`],
        Image: record.ImageName,
        ImageID: record.ImageId,
        Command: processArgs(record.Config)
          .map((arg) => (/\s/.test(arg) ? JSON.stringify(arg) : arg))
          .join(' '),
        Created: Math.floor(Date.parse(record.Created) / 1000),
        State: record.State.Status,
        Status: statusText(record.State, now),
        Labels: record.Config.Labels,
        Ports: this.deps.networking.summaryPorts(record),
        Mounts: record.Mounts,
      }));
  }

  private matches(record: ContainerRecord, filter: string): boolean {
    const [key, ...rest] = filter.split('=');
    const value = rest.join('=');
    switch (key) {
      case 'id':
        return record.Id.startsWith(value);
      case 'name':
        return record.Name.includes(value.replace(/^\//, ''));
      case 'status':
        return record.State.Status === value;
      case 'exited':
        return record.State.Status === 'exited' && String(record.State.ExitCode) === value;
      case 'ancestor':
        return record.ImageName === value || record.ImageId.includes(value);
      case 'label': {
        const [labelKey = '', ...labelValue] = value.split('=');
        return labelValue.length === 0
          ? labelKey in record.Config.Labels
          : record.Config.Labels[labelKey] === labelValue.join('=');
      }
      default:
        return true;
    }
  }

  counts(): { total: number; running: number; paused: number; stopped: number } {
    const all = this.deps.store.all();
    const running = all.filter((r) => r.State.Status === 'running').length;
    const paused = all.filter((r) => r.State.Status === 'paused').length;
    return { total: all.length, running, paused, stopped: all.length - running - paused };
  }

  async inspect(ref: string): Promise<ContainerInspect> {
    const record = this.deps.store.get(ref);
    const dir = this.deps.store.containerDir(record.Id);
    const args = processArgs(record.Config);
    const lower = await this.deps.layers.lowerDirs(record.Id);
    return {
      Id: record.Id,
      Created: record.Created,
      Path: args[0] ?? '',
      Args: args.slice(1),
      State: record.State,
      Image: record.ImageId,
      ResolvConfPath: join(dir, 'resolv.conf'),
      HostnamePath: join(dir, 'hostname'),
      HostsPath: join(dir, 'hosts'),
      LogPath: this.logPath(record.Id),
      Name: `/${record.Name}`,
      RestartCount: record.RestartCount,
      Driver: 'overlay2',
      Platform: 'linux',
      HostConfig: record.HostConfig,
      GraphDriver: {
        Name: 'overlay2',
        Data: {
          LowerDir: lower.join(':'),
          MergedDir: this.deps.layers.mergedDir(record.Id),
          UpperDir: this.deps.layers.upperDir(record.Id),
          WorkDir: join(this.deps.layers.mergedDir(record.Id), '..', 'work'),
        },
      },
      Mounts: record.Mounts,
      Config: record.Config,
      NetworkSettings: this.deps.networking.inspectSettings(record),
    };
  }

  // ---- create ----------------------------------------------------------------------------------

  async create(input: ContainerCreate): Promise<{ Id: string; Warnings: string[] }> {
    const { store, host } = this.deps;
    const warnings = checkHostLimits(input.HostConfig, host);
    if (this.deps.remap && (input.HostConfig.Privileged || input.HostConfig.NetworkMode === 'host')) {
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
    const image = await this.deps.resolveImage(input.Config.Image);
    const id = randomBytes(32).toString('hex');
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
    return this.withLock(`name:${name}`, async () => {
      const holder = store.byName(name);
      if (holder) {
        throw new StevedoreError(
          'CONFLICT',
          `Conflict. The container name "/${name}" is already in use by container "${holder.Id}". You have to remove (or rename) that container to be able to reuse that name.`,
          { name },
        );
      }
      const mounts = await resolveMounts(config, input.HostConfig, this.deps.volumes);
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
        warnings.push(...(await this.deps.networking.join(record, input)));
        crashPoint('network-joined');
        await this.deps.remap?.prepare(image.chainIds);
        await this.deps.layers.createContainerLayer(id, image.topChainId);
        await this.deps.remap?.adoptContainerLayer(id);
        crashPoint('layer-created');
        await store.save(record);
        await this.writeEtcFiles(record, await ContainerNetworking.fixedEtcFiles(record));
      } catch (error) {
        await this.deps.networking.leaveAll(id).catch(() => {});
        await this.deps.layers.removeContainerLayer(id).catch(() => {});
        await store.delete(id).catch(() => {});
        throw error;
      }
      this.publish(record, 'create');
      return { Id: id, Warnings: warnings };
    }).finally(() => this.generatedNames.delete(name));
  }

  private async writeEtcFiles(
    record: ContainerRecord,
    files: { hosts: string; resolvConf: string; hostname: string },
  ): Promise<void> {
    const dir = this.deps.store.containerDir(record.Id);
    await writeFile(join(dir, 'hostname'), `${files.hostname}\n`, { mode: 0o644 });
    await writeFile(join(dir, 'hosts'), files.hosts, { mode: 0o644 });
    await writeFile(join(dir, 'resolv.conf'), files.resolvConf, { mode: 0o644 });
  }

  // ---- start -------------------------------------------------------------------------------

  async start(ref: string, beforeStart?: (bundle: string) => Promise<void>): Promise<ContainerRecord> {
    const id = this.deps.store.get(ref).Id;
    try {
      const started = await this.startOnce(id, beforeStart);
      await this.deps.store.written(id);
      return started;
    } catch (error) {
      // Docker removes a `--rm` container whose start failed: nothing would ever clean it up.
      const record = this.deps.store.find(id);
      if (record?.HostConfig.AutoRemove && !record.State.Running) {
        await this.remove(id, { force: false, volumes: true }).catch(() => {});
      }
      throw error;
    }
  }

  private startOnce(id: string, beforeStart?: (bundle: string) => Promise<void>): Promise<ContainerRecord> {
    return this.withLock(id, async () => {
      const record = this.deps.store.get(id);
      if (record.State.Paused) {
        throw new StevedoreError(
          'CONFLICT',
          `cannot start a paused container ${record.Name}, try unpause instead`,
          {
            container: id,
          },
        );
      }
      if (record.State.Running) return record;
      this.cancelRestart(id);
      return this.startLocked({ ...record, ManuallyStopped: false }, beforeStart);
    });
  }

  private async startLocked(
    record: ContainerRecord,
    /** Runs between create and start: an attach made here misses no output. */
    beforeStart?: (bundle: string) => Promise<void>,
  ): Promise<ContainerRecord> {
    const { layers, runc, store, host } = this.deps;
    const id = record.Id;
    const runtimeDir = this.runtimeDir(id);
    let created = false;
    // The network namespace is made while the layer mounts: two independent steps of every start.
    const pendingNetwork = this.networkNamespace(record);
    pendingNetwork.catch(() => {});
    try {
      const rootfs = await layers.mountContainerLayer(id);
      const user = await lookupUser(rootfs, record.Config.User);
      const cwd = record.Config.WorkingDir || '/';
      makeDirectoryInRoot(rootfs, cwd);
      const network = await pendingNetwork;
      const hostNetwork = network === 'host';
      const hostname = hostNetwork ? osHostname() : record.Config.Hostname;
      const spec = buildSpec({
        config: record.Config,
        hostConfig: record.HostConfig,
        args: processArgs(record.Config),
        env: processEnv(record.Config, hostname, user.home),
        cwd,
        user,
        rootfs,
        etcFiles: {
          hosts: join(store.containerDir(id), 'hosts'),
          hostname: join(store.containerDir(id), 'hostname'),
          resolvConf: join(store.containerDir(id), 'resolv.conf'),
        },
        mounts: await specMounts(record.Mounts, record.HostConfig, rootfs, this.deps.volumes),
        network,
        cgroupsPath: this.cgroupsPath(id),
        swapAccounting: host.swapAccounting,
        blkioWeight: host.blkioWeight,
        hostDevices: record.HostConfig.Privileged ? await hostDevices() : [],
        throttleRead: await throttleDevices(record.HostConfig.BlkioDeviceReadBps),
        throttleWrite: await throttleDevices(record.HostConfig.BlkioDeviceWriteBps),
        initBinary: record.HostConfig.Init ? host.initBinary : null,
        availableCapabilities: host.boundingCapabilities,
        idMap: this.deps.remap?.map ?? null,
      });
      await rm(runtimeDir, { recursive: true, force: true });
      await mkdir(runtimeDir, { recursive: true, mode: 0o700 });
      await writeFile(join(runtimeDir, 'config.json'), JSON.stringify(spec));
      await rm(join(this.exitDir, id), { force: true });
      await runc.delete(id, true);
      const logLimits = this.logLimits(record);
      if (logLimits) await rotateBeforeStart(this.logPath(id), logLimits.maxFiles);
      const pid = await launchConmon(this.deps.conmonBinary, runc, {
        id,
        name: record.Name,
        bundle: runtimeDir,
        pidFile: join(runtimeDir, 'pidfile'),
        conmonPidFile: join(runtimeDir, 'conmon.pid'),
        exitDir: this.exitDir,
        persistDir: runtimeDir,
        // conmon links `<socketDir>/<id>` to the bundle and makes its attach socket `<bundle>/attach`.
        socketDir: join(this.deps.execRoot, 'sockets'),
        logPath: this.logPath(id),
        logSizeMax: logLimits?.maxSize ?? null,
        terminal: record.Config.Tty,
        stdin: record.Config.OpenStdin,
      });
      created = true;
      crashPoint('container-created');
      if (network === 'new' && usesNetworkService(record.HostConfig.NetworkMode)) {
        await (await this.setUpNetwork(record, `/proc/${pid}/ns/net`)).hostSide;
      } else if (typeof network === 'object') {
        await network.hostSide;
      }
      if (beforeStart) await beforeStart(runtimeDir);
      await runc.start(id);
      const started: ContainerRecord = {
        ...record,
        State: {
          ...record.State,
          Status: 'running',
          Running: true,
          Paused: false,
          Restarting: false,
          OOMKilled: false,
          Dead: false,
          Pid: pid,
          ExitCode: 0,
          Error: '',
          StartedAt: new Date().toISOString(),
        },
      };
      store.update(started);
      this.watchLog(started);
      this.publish(started, 'start');
      return started;
    } catch (error) {
      if (created) await runc.delete(id, true).catch(() => {});
      // The host side may still be in progress: undoing it now could miss what it adds next.
      const network = await pendingNetwork.catch(() => null);
      if (typeof network === 'object') await network?.hostSide?.catch(() => {});
      await this.deps.networking.tearDown(id).catch(() => {});
      await layers.unmountContainerLayer(id).catch(() => {});
      const message = cleanRuntimeMessage(error instanceof Error ? error.message : String(error));
      const exitCode = startFailureExitCode(message);
      store.update({
        ...record,
        State: { ...record.State, Status: record.State.Status, ExitCode: exitCode, Error: message },
      });
      throw new StevedoreError(
        isStevedoreCode(error, 'INVALID_ARGUMENT') ? 'INVALID_ARGUMENT' : 'FAILED_PRECONDITION',
        `failed to start container ${record.Name}: ${message}`,
        { container: id, exitCode },
        { cause: error },
      );
    }
  }

  private async networkNamespace(
    record: ContainerRecord,
  ): Promise<'new' | 'host' | { path: string; hostSide?: Promise<void> }> {
    const mode = record.HostConfig.NetworkMode;
    if (mode === 'host') return 'host';
    if (usesNetworkService(mode)) {
      // A user-namespaced container needs a network namespace its user namespace owns (or the
      // kernel refuses sysfs and `exec`): runc makes it, and it is wired up after `runc create`.
      if (this.deps.remap) return 'new';
      return this.setUpNetwork(record);
    }
    if (mode.startsWith('container:')) {
      const target = this.deps.store.get(mode.slice('container:'.length));
      if (!target.State.Running) {
        throw new StevedoreError(
          'CONFLICT',
          `cannot join network of a non running container: ${target.Name}`,
          { container: record.Id },
        );
      }
      return { path: `/proc/${target.State.Pid}/ns/net` };
    }
    return 'new';
  }

  private async setUpNetwork(
    record: ContainerRecord,
    namespace?: string,
  ): Promise<{ path: string; hostSide: Promise<void> }> {
    const network = await this.deps.networking.setUp(record, namespace);
    await this.writeEtcFiles(record, { ...network, hostname: record.Config.Hostname });
    return { path: network.path, hostSide: network.hostSide };
  }

  private cgroupsPath(id: string): string {
    const parent = (this.deps.cgroupParent ?? 'stevedore').replace(/^\/+|\/+$/g, '');
    return `/${parent}/${id}`;
  }

  // ---- exit ----------------------------------------------------------------------------------

  /** conmon wrote `<exit-dir>/<id>`: record how the container ended, then apply its policies. */
  private async noticeExit(id: string): Promise<void> {
    let recorded = false;
    try {
      const handled = await this.withLock(id, async () => {
        const record = this.deps.store.find(id);
        if (!record || !(record.State.Running || record.State.Paused)) {
          // The end of a container never started or already gone (a failed start, an orphan
          // killed at start-up): nothing reads this file. Before the records are loaded, it may
          // be a real exit that start-up has yet to record.
          if (this.loaded && this.deps.store.isSaved(id)) await rm(join(this.exitDir, id), { force: true });
          return null;
        }
        const text = await readFile(join(this.exitDir, id), 'utf8').catch(() => null);
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
  private async exitTime(id: string): Promise<Date | undefined> {
    return (await stat(join(this.exitDir, id)).catch(() => null))?.mtime;
  }

  private async recordExit(
    record: ContainerRecord,
    exitCode: number,
    error = '',
    finishedAt = new Date(),
  ): Promise<ContainerRecord> {
    const id = record.Id;
    const oomKilled = await readFile(join(this.runtimeDir(id), 'oom'))
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
    await this.logRotation.release(id);
    this.deps.store.update(exited);
    // Normally on disk before anything else happens; a full disk only delays the rest a little.
    await this.deps.store.written(id);
    // conmon writes the exit file after the last output is in the log, so an attached `run` can
    // end now; what follows is undone under this container's lock, before anything else touches
    // it (and by the next agent's reconcile, if this one dies first).
    if (this.exitStatusWaiters.has(id) && !this.settling.has(id)) {
      let resolve = () => {};
      const done = new Promise<void>((r) => {
        resolve = r;
      });
      this.settling.set(id, { done, resolve });
    }
    this.notifyExitStatus(id, { StatusCode: exited.State.ExitCode, OOMKilled: oomKilled });
    crashPoint('exit-recorded');
    await this.releaseRuntime(id);
    // Until the record is on disk (a full disk delays that), the exit file is all a restarted
    // agent would have of this exit.
    void this.deps.store
      .saved(id)
      .then(() => this.removeExitFile(id, finishedAt))
      .catch((e) => this.deps.log.warn({ err: e, id }, 'removing the exit file failed'));
    if (oomKilled) this.publish(exited, 'oom');
    this.publish(exited, 'die', { exitCode: String(exited.State.ExitCode) });
    this.notify(this.exitWaiters, id);
    return exited;
  }

  /** Removes the exit file written at `writtenAt`, not a newer one of a later run. */
  private async removeExitFile(id: string, writtenAt: Date): Promise<void> {
    const file = join(this.exitDir, id);
    const current = await stat(file).catch(() => null);
    if (current?.mtime.getTime() === writtenAt.getTime()) await rm(file, { force: true });
  }

  /** What a started container holds on the host: runc's state and cgroup, its network, its mount. */
  private async releaseRuntime(id: string): Promise<void> {
    // runc's state and cgroup, and the network, are independent; the rootfs waits for runc
    // (with a shared pid namespace, processes may outlive the init until runc kills them).
    await Promise.all([
      this.deps.runc.delete(id, true).catch((e) => this.deps.log.warn({ err: e, id }, 'runc delete failed')),
      this.deps.networking
        .tearDown(id)
        .catch((e) => this.deps.log.warn({ err: e, id }, 'removing the network namespace failed')),
    ]);
    await this.deps.layers
      .unmountContainerLayer(id)
      .catch((e) => this.deps.log.warn({ err: e, id }, 'unmounting the container layer failed'));
    await removeSocketLink(this.deps.execRoot, id);
  }

  /** Restart policy, then `--rm`. */
  private async afterExit(record: ContainerRecord): Promise<void> {
    if (this.shouldRestart(record)) {
      this.scheduleRestart(record);
      return;
    }
    if (record.HostConfig.AutoRemove) {
      await this.remove(record.Id, { force: false, volumes: true }).catch((error) =>
        this.deps.log.warn({ err: error, id: record.Id }, 'auto-remove failed'),
      );
    }
  }

  /** Resolves once every exit already told to an attached `run` is cleaned up (and removed, for `--rm`). */
  async settled(): Promise<void> {
    if (this.settling.size === 0) return;
    // Bounded: a clean-up that hangs (a stuck runc) must not stall every other request.
    await withTimeout(Promise.all([...this.settling.values()].map(({ done }) => done)), 10_000);
  }

  private shouldRestart(record: ContainerRecord): boolean {
    if (record.ManuallyStopped) return false;
    const policy = record.HostConfig.RestartPolicy;
    switch (policy.Name) {
      case 'always':
      case 'unless-stopped':
        return true;
      case 'on-failure':
        return (
          record.State.ExitCode !== 0 &&
          (policy.MaximumRetryCount === 0 || record.RestartCount < policy.MaximumRetryCount)
        );
      default:
        return false;
    }
  }

  /** Docker's back-off: 100 ms doubling per quick failure, at most a minute; reset after 10 s up. */
  private scheduleRestart(record: ContainerRecord): void {
    const id = record.Id;
    const ranFor = Date.parse(record.State.FinishedAt) - Date.parse(record.State.StartedAt);
    const previous = ranFor >= RESET_BACKOFF_AFTER_MS ? 0 : (this.restartDelays.get(id) ?? 0);
    const delay = Math.min(previous === 0 ? 100 : previous * 2, MAX_RESTART_DELAY_MS);
    this.restartDelays.set(id, delay);
    void this.withLock(id, async () => {
      const current = this.deps.store.find(id);
      if (!current || current.State.Running) return;
      this.deps.store.update({
        ...current,
        State: { ...current.State, Status: 'restarting', Restarting: true },
      });
    });
    const timer = setTimeout(() => {
      this.restartTimers.delete(id);
      void this.withLock(id, async () => {
        const current = this.deps.store.find(id);
        if (!current || current.State.Running || current.ManuallyStopped || !current.State.Restarting) return;
        await this.startLocked({ ...current, RestartCount: current.RestartCount + 1 });
      }).catch((error) => {
        this.deps.log.warn({ err: error, id }, 'restart failed');
        const current = this.deps.store.find(id);
        if (current && this.shouldRestart({ ...current, State: { ...current.State, ExitCode: 1 } })) {
          this.scheduleRestart({ ...current, RestartCount: current.RestartCount + 1 });
        }
      });
    }, delay);
    timer.unref();
    this.restartTimers.set(id, timer);
  }

  private cancelRestart(id: string): void {
    const timer = this.restartTimers.get(id);
    if (timer) clearTimeout(timer);
    this.restartTimers.delete(id);
  }

  // ---- stop, kill, restart, pause ---------------------------------------------------------------

  async stop(ref: string, timeoutSeconds?: number, signalOverride?: string): Promise<void> {
    const record = this.deps.store.get(ref);
    const id = record.Id;
    this.cancelRestart(id);
    const running = await this.withLock(id, async () => {
      const current = this.deps.store.get(id);
      const next: ContainerRecord = {
        ...current,
        ManuallyStopped: true,
        State: current.State.Restarting
          ? { ...current.State, Status: 'exited', Restarting: false }
          : current.State,
      };
      // The signal must not wait for the disk (it may be full): the record follows in the background.
      this.deps.store.update(next);
      return next.State.Running;
    });
    if (!running) return;
    const signal = normalizeSignal(signalOverride ?? record.Config.StopSignal ?? 'SIGTERM');
    const timeout = timeoutSeconds ?? record.Config.StopTimeout ?? DEFAULT_STOP_TIMEOUT_SECONDS;
    const exited = this.waitFor(this.exitWaiters, id);
    if (record.State.Paused) await this.deps.runc.resume(id).catch(() => {});
    await this.signal(record, signal.number, signal.name);
    const inTime = timeout < 0 ? await exited.then(() => true) : await withTimeout(exited, timeout * 1000);
    if (!inTime && this.deps.store.find(id)?.State.Running) {
      await this.signal(record, 9, 'SIGKILL', true);
      if (!(await withTimeout(this.waitFor(this.exitWaiters, id, true), 30_000))) {
        throw new StevedoreError('INTERNAL', `container ${record.Name} did not exit after SIGKILL`, {
          container: id,
        });
      }
    }
    this.publish(this.deps.store.find(id) ?? record, 'stop');
    await this.deps.store.written(id);
  }

  async kill(ref: string, signalText = 'SIGKILL'): Promise<void> {
    const signal = normalizeSignal(signalText);
    const record = this.deps.store.get(ref);
    if (!record.State.Running) {
      throw new StevedoreError(
        'CONFLICT',
        `Cannot kill container: ${ref}: Container ${record.Id} is not running`,
        { container: record.Id },
      );
    }
    const stopSignal = normalizeSignal(record.Config.StopSignal ?? 'SIGTERM');
    if (signal.number === 9 || signal.number === stopSignal.number) {
      await this.withLock(record.Id, async () =>
        this.deps.store.update({ ...this.deps.store.get(record.Id), ManuallyStopped: true }),
      );
    }
    await this.signal(record, signal.number, signal.name, signal.number === 9);
    await this.deps.store.written(record.Id);
  }

  private async signal(record: ContainerRecord, number: number, name: string, all = false): Promise<void> {
    await this.deps.runc.kill(record.Id, number, all).catch((error) => {
      // Already gone between the check and the signal: the exit handler takes it from here.
      if (!/not running|container not running|no such process/i.test(String(error))) throw error;
    });
    this.publish(record, 'kill', { signal: String(number) });
    this.deps.log.debug({ id: record.Id, signal: name }, 'signalled container');
  }

  async restart(ref: string, timeoutSeconds?: number): Promise<void> {
    await this.stop(ref, timeoutSeconds);
    await this.start(ref);
    this.publish(this.deps.store.get(ref), 'restart');
  }

  async pause(ref: string): Promise<void> {
    const id = this.deps.store.get(ref).Id;
    await this.withLock(id, async () => {
      const record = this.deps.store.get(id);
      if (!record.State.Running) throw notRunning(record);
      if (record.State.Paused) throw new StevedoreError('CONFLICT', `Container ${id} is already paused`);
      await this.deps.runc.pause(id);
      const paused = { ...record, State: { ...record.State, Status: 'paused' as const, Paused: true } };
      this.deps.store.update(paused);
      this.publish(paused, 'pause');
    });
    await this.deps.store.written(id);
  }

  async unpause(ref: string): Promise<void> {
    const id = this.deps.store.get(ref).Id;
    await this.withLock(id, async () => {
      const record = this.deps.store.get(id);
      if (!record.State.Paused) throw new StevedoreError('CONFLICT', `Container ${id} is not paused`);
      await this.deps.runc.resume(id);
      const running = { ...record, State: { ...record.State, Status: 'running' as const, Paused: false } };
      this.deps.store.update(running);
      this.publish(running, 'unpause');
    });
    await this.deps.store.written(id);
  }

  // ---- remove, rename, update, wait -------------------------------------------------------------

  async remove(ref: string, options: { force: boolean; volumes: boolean }): Promise<void> {
    const record = this.deps.store.get(ref);
    const id = record.Id;
    if (record.State.Running || record.State.Paused) {
      if (!options.force) {
        throw new StevedoreError(
          'CONFLICT',
          `You cannot remove a ${record.State.Paused ? 'paused' : 'running'} container ${id}. Stop the container before attempting removal or force remove`,
          { container: id },
        );
      }
      await this.withLock(id, async () =>
        this.deps.store.update({ ...this.deps.store.get(id), ManuallyStopped: true }),
      );
      const exited = this.waitFor(this.exitWaiters, id);
      if (record.State.Paused) await this.deps.runc.resume(id).catch(() => {});
      await this.signal(record, 9, 'SIGKILL', true);
      if (!(await withTimeout(exited, 30_000))) {
        throw new StevedoreError('INTERNAL', `container ${record.Name} did not exit after SIGKILL`, {
          container: id,
        });
      }
    }
    this.cancelRestart(id);
    await this.withLock(id, async () => {
      const current = this.deps.store.find(id);
      if (!current) return;
      await this.deps.runc.delete(id, true).catch(() => {});
      await this.deps.layers.removeContainerLayer(id);
      crashPoint('layer-removed');
      await removeRuntimeFiles(this.deps.execRoot, id);
      await this.deps.networking.leaveAll(id);
      await this.deps.store.delete(id);
      // The layer's space is free again: state writes a full disk refused can land now.
      this.deps.store.retryUnsaved();
      if (options.volumes) {
        for (const mount of current.Mounts) {
          const volume =
            mount.Type === 'volume' && mount.Name ? await this.deps.volumes.find(mount.Name) : null;
          if (volume?.Anonymous && !this.volumeInUse(volume.Name))
            await this.deps.volumes.remove(volume.Name);
        }
      }
      this.restartDelays.delete(id);
      this.publish(current, 'destroy');
    });
    this.exitStatusWaiters.delete(id);
    this.notify(this.removeWaiters, id);
    this.notify(this.exitWaiters, id);
  }

  /** A running container an exec can join, with its mounted root. */
  execTarget(ref: string): { record: ContainerRecord; rootfs: string } {
    const record = this.deps.store.get(ref);
    if (record.State.Paused) {
      throw new StevedoreError(
        'CONFLICT',
        `Container ${record.Id} is paused, unpause the container before exec`,
        {
          container: record.Id,
        },
      );
    }
    if (!record.State.Running) throw notRunning(record);
    return { record, rootfs: this.deps.layers.mergedDir(record.Id) };
  }

  publishExec(record: ContainerRecord, action: string, attributes: Record<string, string>): void {
    this.publish(record, action, attributes);
  }

  /** Running containers with what the stats sampler reads. */
  runningForStats(): SampledContainer[] {
    return this.deps.store
      .all()
      .filter((record) => record.State.Running && record.State.Pid > 0)
      .map((record) => ({
        id: record.Id,
        name: record.Name,
        pid: record.State.Pid,
        cgroupsPath: this.cgroupsPath(record.Id),
        hasNetwork: record.HostConfig.NetworkMode !== 'none',
      }));
  }

  /** Resolves names and ID prefixes to full IDs (for stats). */
  resolveIds(refs: readonly string[]): string[] {
    return refs.map((ref) => this.deps.store.get(ref).Id);
  }

  /**
   * `docker top`: the host's `ps` output, reduced to the container's processes, with a CPID
   * column after PID giving each process's pid inside the container.
   */
  async top(ref: string, psArgs = '-ef'): Promise<TopResult> {
    const record = this.deps.store.get(ref);
    if (!record.State.Running) throw notRunning(record);
    const pids = new Set((await this.deps.runc.ps(record.Id)).map(String));
    const args = psArgs.trim().split(/\s+/).filter(Boolean);
    const result = await execFile('ps', args);
    if (result.code !== 0) {
      throw new StevedoreError('INVALID_ARGUMENT', `ps ${psArgs} failed: ${result.stderr.trim()}`, {
        container: record.Id,
      });
    }
    const [header = '', ...rows] = result.stdout.trimEnd().split('\n');
    const titles = header.trim().split(/\s+/);
    const pidColumn = titles.indexOf('PID');
    if (pidColumn < 0) {
      throw new StevedoreError('INVALID_ARGUMENT', `ps ${psArgs} does not print a PID column`, {
        container: record.Id,
      });
    }
    const processes = rows
      .map((row) => {
        const fields = row.trim().split(/\s+/);
        // The last column (the command) may contain spaces: keep it whole.
        return [...fields.slice(0, titles.length - 1), fields.slice(titles.length - 1).join(' ')];
      })
      .filter((fields) => pids.has(fields[pidColumn] ?? ''))
      // The pid inside the container's pid namespace too: the last NSpid entry in /proc/<pid>/status.
      .map((fields) => {
        const status = readStatus(fields[pidColumn] ?? '');
        const inside = /^NSpid:\s+(.+)$/m.exec(status)?.[1]?.trim().split(/\s+/).at(-1) ?? '';
        return [...fields.slice(0, pidColumn + 1), inside, ...fields.slice(pidColumn + 1)];
      });
    return {
      Titles: [...titles.slice(0, pidColumn + 1), 'CPID', ...titles.slice(pidColumn + 1)],
      Processes: processes,
    };
  }

  /** `docker container prune`: every container not running, with the bytes their layers held. */
  async prune(): Promise<PruneReport> {
    const stopped = this.deps.store
      .all()
      .filter((record) => !record.State.Running && !record.State.Paused && !record.State.Restarting);
    const sizes = await diskUsage(stopped.map((record) => this.deps.layers.upperDir(record.Id)));
    const report: PruneReport = { deleted: [], untagged: [], spaceReclaimed: 0 };
    for (const record of stopped) {
      await this.remove(record.Id, { force: false, volumes: false });
      report.deleted.push(record.Id);
      report.spaceReclaimed += sizes.get(this.deps.layers.upperDir(record.Id)) ?? 0;
    }
    return report;
  }

  /** Each container's writable layer and whether it runs, for `system df`. */
  layerUsage(): { id: string; upper: string; running: boolean }[] {
    return this.deps.store.all().map((record) => ({
      id: record.Id,
      upper: this.deps.layers.upperDir(record.Id),
      running: record.State.Running,
    }));
  }

  /** A container made from the image, a running one first. */
  containerUsingImage(imageId: string): { id: string; running: boolean } | null {
    const users = this.deps.store.all().filter((record) => record.ImageId === imageId);
    const user = users.find((record) => record.State.Running) ?? users[0];
    return user ? { id: user.Id, running: user.State.Running } : null;
  }

  async connectNetwork(ref: string, network: string, request: EndpointRequest): Promise<void> {
    const id = this.deps.store.get(ref).Id;
    await this.withLock(id, () => this.deps.networking.connect(this.deps.store.get(id), network, request));
  }

  async disconnectNetwork(ref: string, network: string): Promise<void> {
    const id = this.deps.store.get(ref).Id;
    await this.withLock(id, () => this.deps.networking.disconnect(this.deps.store.get(id), network));
  }

  /** `docker port`: the running container's published ports. */
  ports(ref: string): PublishedPort[] {
    const record = this.deps.store.get(ref);
    return record.State.Running ? this.deps.networking.publishedPorts(record.Id) : [];
  }

  volumeInUse(name: string): boolean {
    return this.deps.store.all().some((record) => record.Mounts.some((mount) => mount.Name === name));
  }

  async rename(ref: string, newName: string): Promise<void> {
    const id = this.deps.store.get(ref).Id;
    await this.withLock(`name:${newName}`, () =>
      this.withLock(id, async () => {
        const record = this.deps.store.get(id);
        const holder = this.deps.store.byName(newName);
        if (holder && holder.Id !== id) {
          throw new StevedoreError(
            'CONFLICT',
            `Error when allocating new name: Conflict. The container name "/${newName}" is already in use by container "${holder.Id}". You have to remove (or rename) that container to be able to reuse that name.`,
          );
        }
        await this.deps.store.save({ ...record, Name: newName });
        await this.deps.networking.rename(id, newName);
        this.publish({ ...record, Name: newName }, 'rename', { oldName: `/${record.Name}` });
      }),
    );
  }

  /** `docker update`: new limits, applied live to a running container and kept for restarts. */
  async update(ref: string, changes: ResourcesUpdate): Promise<{ Warnings: string[] }> {
    const id = this.deps.store.get(ref).Id;
    return this.withLock(id, async () => {
      const record = this.deps.store.get(id);
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
      const warnings = checkHostLimits(parsed.data, this.deps.host);
      if (record.State.Running) {
        const { devices: _devices, ...resources } = buildResources(parsed.data, {
          swapAccounting: this.deps.host.swapAccounting,
          blkioWeight: this.deps.host.blkioWeight,
          throttleRead: await throttleDevices(parsed.data.BlkioDeviceReadBps),
          throttleWrite: await throttleDevices(parsed.data.BlkioDeviceWriteBps),
        });
        // runc update leaves a limit as it is when the field is absent; "unlimited" must be said.
        resources.memory = {
          limit: -1,
          reservation: -1,
          ...(this.deps.host.swapAccounting ? { swap: -1 } : {}),
          ...resources.memory,
        };
        resources.pids = resources.pids ?? { limit: -1 };
        resources.cpu = { quota: -1, ...resources.cpu };
        await this.deps.runc.update(id, resources);
      }
      const updated = { ...record, HostConfig: parsed.data };
      this.deps.store.update(updated);
      this.publish(updated, 'update');
      return { Warnings: warnings };
    });
  }

  async wait(ref: string, condition: WaitCondition = 'not-running'): Promise<WaitResult> {
    const record = this.deps.store.get(ref);
    const id = record.Id;
    if (condition === 'removed') {
      await this.waitFor(this.removeWaiters, id);
      return { StatusCode: record.State.ExitCode, OOMKilled: record.State.OOMKilled };
    }
    if (condition === 'not-running' && !record.State.Running && !record.State.Restarting) {
      return { StatusCode: record.State.ExitCode, OOMKilled: record.State.OOMKilled };
    }
    await this.waitFor(this.exitWaiters, id);
    const after = this.deps.store.find(id) ?? record;
    return { StatusCode: after.State.ExitCode, OOMKilled: after.State.OOMKilled };
  }

  /**
   * The container's output: what the log holds (tail/since/until), then with `follow` new lines
   * until it stops. `startIt` (for `run`) starts the container once the exit waiter is in place,
   * so a quick exit cannot be missed, follows, and ends with the exit status.
   */
  async *attach(
    ref: string,
    options: LogOptions & { startIt: boolean },
    signal: AbortSignal,
  ): AsyncGenerator<{ type: 'line'; line: LogLine } | { type: 'exit'; result: WaitResult }> {
    for await (const event of this.output(ref, options, signal)) {
      if (event.type === 'exit') yield event;
      else for (const line of event.lines) yield { type: 'line', line };
    }
  }

  /** `logs`: batches of lines (each one read of the log), as `attach` without starting. */
  async *logs(ref: string, options: LogOptions, signal: AbortSignal): AsyncGenerator<LogLine[]> {
    for await (const event of this.output(ref, { ...options, startIt: false }, signal)) {
      if (event.type === 'lines') yield event.lines;
    }
  }

  private async *output(
    ref: string,
    options: LogOptions & { startIt: boolean },
    signal: AbortSignal,
  ): AsyncGenerator<{ type: 'lines'; lines: LogLine[] } | { type: 'exit'; result: WaitResult }> {
    const id = this.deps.store.get(ref).Id;
    let result: WaitResult | null = null;
    // The exit status as soon as it is known, or, if the container goes another way (removed by
    // force), once it is gone; either ends the following of the log once the rest of it is read
    // (a last line without a newline included: conmon wrote everything before the exit).
    const ended = new AbortController();
    const exitWait = Promise.race([
      new Promise<WaitResult>((resolve) => this.addWaiter(this.exitStatusWaiters, id, resolve)),
      this.waitFor(this.exitWaiters, id).then(() => {
        const after = this.deps.store.find(id);
        return { StatusCode: after?.State.ExitCode ?? 0, OOMKilled: after?.State.OOMKilled ?? false };
      }),
    ]).then((status) => {
      result = status;
      ended.abort();
    });
    const query = {
      tail: options.tail,
      since: options.since ? parseTimeBound(options.since) : null,
      until: options.until ? parseTimeBound(options.until) : null,
    };
    const record = this.deps.store.get(id);
    const running = record.State.Running || record.State.Restarting;
    // `run` follows from the start it makes; `logs -f` only a container that may still write.
    const follow = options.startIt || (options.follow && query.until === null && running);
    const lines = streamLog({
      logPath: this.logPath(id),
      maxFiles: this.logFilesToRead(record),
      query,
      follow: follow ? { done: () => result !== null, signal, finished: ended.signal } : null,
      beforeFollow: options.startIt ? async () => void (await this.start(id)) : undefined,
    });
    for await (const batch of lines) yield { type: 'lines', lines: batch };
    if (options.startIt) {
      await exitWait;
      if (result) yield { type: 'exit', result };
    }
  }

  /**
   * `run -it`, `attach`: the container's stdio through conmon's attach socket, as raw bytes (a
   * terminal's prompt has no newline, so the line-based log cannot serve it). With `startIt` the
   * socket is connected between create and start, so no output is missed. Input and resizes go
   * through `attachWrite` / `attachResize` with the attach ID of the first event.
   */
  async *attachInteractive(
    ref: string,
    options: { startIt: boolean; rows: number; cols: number },
    signal: AbortSignal,
  ): AsyncGenerator<AttachEvent> {
    const id = this.deps.store.get(ref).Id;
    const { Config } = this.deps.store.get(id);
    if (!options.startIt && !Config.Tty && !Config.OpenStdin) {
      yield* this.attachToLog(id, signal);
      return;
    }
    const attachId = randomBytes(32).toString('hex');
    // conmon's socket cannot be paused: past the mark output is dropped, and the client told how much.
    let droppedBytes: number | null = null;
    const queue = new BoundedQueue<AttachEvent>({
      highWaterMark: ATTACH_OUTPUT_HIGH_WATER_MARK,
      sizeOf: (event) => (event.type === 'output' ? event.data.length : 0),
      pause: () => {
        droppedBytes = 0;
      },
      resume: () => {
        if (droppedBytes) queue.push({ type: 'dropped', bytes: droppedBytes });
        droppedBytes = null;
      },
    });
    queue.push({ type: 'attached', attachId });
    // Done when the container has exited and conmon has closed the socket (or a second later).
    let exited = false;
    let socketEnded = false;
    const closeWhenDone = () => {
      if (exited && (socketEnded || !options.startIt)) queue.close();
    };
    void this.waitFor(this.exitWaiters, id).then(() => {
      exited = true;
      closeWhenDone();
      setTimeout(() => queue.close(), 1000).unref();
    });
    let attachment: ConmonAttachment | null = null;
    const connect = async (bundle: string) => {
      attachment = await attachToConmon(
        bundle,
        (stream, data) => {
          if (droppedBytes === null) queue.push({ type: 'output', stream, data: data.toString('base64') });
          else droppedBytes += data.length;
        },
        () => {
          socketEnded = true;
          closeWhenDone();
        },
      );
      this.attachments.set(attachId, attachment);
      if (this.deps.store.get(id).Config.Tty)
        await attachment.resize(options.rows, options.cols).catch(() => {});
    };
    try {
      if (options.startIt) await this.start(id, connect);
      else {
        const target = this.deps.store.get(id);
        if (!target.State.Running) throw notRunning(target);
        await connect(this.runtimeDir(id));
      }
      yield* queue.drain(signal);
      if (signal.aborted) return;
      const after = this.deps.store.find(id);
      yield {
        type: 'exit',
        result: { StatusCode: after?.State.ExitCode ?? 0, OOMKilled: after?.State.OOMKilled ?? false },
      };
    } finally {
      (attachment as ConmonAttachment | null)?.close();
      this.attachments.delete(attachId);
    }
  }

  /**
   * `attach` to a container with neither stdin nor a terminal: nothing to send it, and its output
   * is in the log, which is followed from now on. Reading the log waits for the client, so a
   * client that falls behind holds the reading back instead of output piling up in the agent.
   */
  private async *attachToLog(id: string, signal: AbortSignal): AsyncGenerator<AttachEvent> {
    const target = this.deps.store.get(id);
    if (!target.State.Running) throw notRunning(target);
    yield { type: 'attached', attachId: randomBytes(32).toString('hex') };
    const options = { follow: true, tail: 0, since: null, until: null, startIt: false };
    for await (const event of this.output(id, options, signal)) {
      if (event.type === 'lines') yield* outputEvents(event.lines);
    }
    if (signal.aborted) return;
    yield { type: 'exit', result: await this.wait(id, 'not-running') };
  }

  attachWrite(attachId: string, data: Buffer, eof: boolean): void {
    const attachment = this.attachments.get(attachId);
    if (!attachment) throw new StevedoreError('NOT_FOUND', `No such attach session: ${attachId}`);
    if (data.length > 0) attachment.write(data);
    if (eof) attachment.end();
  }

  async attachResize(attachId: string, rows: number, cols: number): Promise<void> {
    const attachment = this.attachments.get(attachId);
    if (!attachment) throw new StevedoreError('NOT_FOUND', `No such attach session: ${attachId}`);
    await attachment.resize(rows, cols);
  }

  // ---- start-up and shutdown ---------------------------------------------------------------

  /**
   * After an agent restart: containers that kept running under conmon are adopted, those that
   * ended meanwhile get their exit recorded (and their restart policy), and containers a host
   * reboot stopped come back when their policy says so.
   */
  private async reconcile(): Promise<void> {
    const { runc, networking, layers, execRoot, log } = this.deps;
    await removeOrphans(new Set(this.deps.store.all().map((record) => record.Id)), {
      runc,
      networking,
      layers,
      execRoot,
      log,
    });
    for (const record of this.deps.store.all()) {
      const id = record.Id;
      if (!(record.State.Running || record.State.Paused || record.State.Restarting)) {
        // Recorded as exited (or never started), but the agent died before undoing what the
        // container held: a created container under conmon, its namespace, its mount.
        if (
          existsSync(join(runc.root, id)) ||
          networking.isSetUp(id) ||
          (await layers.isContainerLayerMounted(id))
        ) {
          await this.releaseRuntime(id);
        }
        await removeRuntimeFiles(execRoot, id);
        continue;
      }
      const exitText = await readFile(join(this.exitDir, id), 'utf8').catch(() => null);
      const state = exitText === null ? await this.deps.runc.state(id).catch(() => null) : null;
      if (state && (state.status === 'running' || state.status === 'paused')) {
        const adopted: ContainerRecord = {
          ...record,
          State: {
            ...record.State,
            Status: state.status,
            Running: true,
            Paused: state.status === 'paused',
            Restarting: false,
            Pid: state.pid,
          },
        };
        this.deps.store.update(adopted);
        this.watchLog(adopted);
        this.deps.log.info({ id, pid: state.pid }, 'adopted running container');
        continue;
      }
      const exitCode =
        exitText !== null && exitText.trim() !== '' ? Number.parseInt(exitText.trim(), 10) : 255;
      const error =
        exitText === null && record.State.Running
          ? 'the container ended while the agent was down and its exit code was lost'
          : '';
      const exited = await this.recordExit(
        { ...record, State: { ...record.State, Running: true } },
        exitCode,
        error,
        exitText === null ? undefined : await this.exitTime(id),
      );
      await this.afterExit(exited);
    }
    // Docker's rule at daemon start: `always` comes back even after a manual stop,
    // `unless-stopped` only if it was not stopped by hand.
    for (const record of this.deps.store.all()) {
      const policy = record.HostConfig.RestartPolicy.Name;
      if (record.State.Status !== 'exited' || this.restartTimers.has(record.Id)) continue;
      if (policy === 'always' || (policy === 'unless-stopped' && !record.ManuallyStopped)) {
        await this.start(record.Id).catch((error) =>
          this.deps.log.warn({ err: error, id: record.Id }, 'restart at start-up failed'),
        );
      }
    }
  }

  /**
   * On a graceful shutdown without live-restore, containers stop like Docker's do; with it (or
   * when the agent is killed) they keep running under conmon and are adopted on the next start.
   */
  async close(stopContainers: boolean): Promise<void> {
    this.watcher?.close();
    this.logRotation.close();
    for (const timer of this.restartTimers.values()) clearTimeout(timer);
    if (!stopContainers) return;
    await Promise.all(
      this.deps.store
        .all()
        .filter((record) => record.State.Running)
        .map((record) =>
          this.stopForShutdown(record).catch((error) =>
            this.deps.log.warn({ err: error, id: record.Id }, 'stop at shutdown failed'),
          ),
        ),
    );
  }

  private async stopForShutdown(record: ContainerRecord): Promise<void> {
    // Not a manual stop: restart policies bring it back when the agent starts again.
    const exited = this.waitFor(this.exitWaiters, record.Id);
    const signal = normalizeSignal(record.Config.StopSignal ?? 'SIGTERM');
    await this.signal(record, signal.number, signal.name);
    if (!(await withTimeout(exited, (record.Config.StopTimeout ?? DEFAULT_STOP_TIMEOUT_SECONDS) * 1000))) {
      await this.signal(record, 9, 'SIGKILL', true);
      await withTimeout(this.waitFor(this.exitWaiters, record.Id, true), 10_000);
    }
  }

  // ---- plumbing --------------------------------------------------------------------------------

  private publish(record: ContainerRecord, action: string, extra: Record<string, string> = {}): void {
    this.deps.events.publish('container', action, record.Id, {
      ...record.Config.Labels,
      image: record.ImageName,
      name: record.Name,
      ...extra,
    });
  }

  /** Resolves at the next notification; `recheck` also resolves when the exit already happened. */
  private waitFor(waiters: Map<string, Set<() => void>>, id: string, recheck = false): Promise<void> {
    if (recheck && !this.deps.store.find(id)?.State.Running) return Promise.resolve();
    return new Promise((resolve) => this.addWaiter(waiters, id, resolve));
  }

  private addWaiter<T>(waiters: Map<string, Set<T>>, id: string, waiter: T): void {
    const set = waiters.get(id) ?? new Set();
    set.add(waiter);
    waiters.set(id, set);
  }

  private notifyExitStatus(id: string, status: WaitResult): void {
    const set = this.exitStatusWaiters.get(id);
    this.exitStatusWaiters.delete(id);
    for (const resolve of set ?? []) resolve(status);
  }

  private notify(waiters: Map<string, Set<() => void>>, id: string): void {
    const set = waiters.get(id);
    waiters.delete(id);
    for (const resolve of set ?? []) resolve();
  }

  private withLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
    return this.locks.run(key, fn);
  }
}

const readStatus = (pid: string) => {
  try {
    return readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return '';
  }
};

const notRunning = (record: ContainerRecord) =>
  new StevedoreError('CONFLICT', `Container ${record.Id} is not running`, { container: record.Id });

/** Log lines as attach output: one event per run of lines of the same stream, as the bytes written. */
function* outputEvents(lines: readonly LogLine[]): Generator<AttachEvent> {
  let start = 0;
  for (let end = 1; end <= lines.length; end++) {
    const stream = (lines[start] as LogLine).stream;
    if (end < lines.length && (lines[end] as LogLine).stream === stream) continue;
    const text = lines
      .slice(start, end)
      .map((line) => (line.partial ? line.text : `${line.text}\n`))
      .join('');
    yield { type: 'output', stream, data: Buffer.from(text).toString('base64') };
    start = end;
  }
}

const isStevedoreCode = (error: unknown, code: string) =>
  error instanceof StevedoreError && error.code === code;

/** Docker's exit codes for a start that fails: 127 command not found, 126 cannot invoke. */
export function startFailureExitCode(message: string): number {
  if (/executable file not found|no such file or directory/i.test(message)) return 127;
  if (/permission denied|unable to find (user|group)|exec format error/i.test(message)) return 126;
  return 128;
}

async function withTimeout(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise.then(() => true as const), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
