import { mkdir, rm, writeFile } from 'node:fs/promises';
import { hostname as osHostname } from 'node:os';
import { join } from 'node:path';
import { effectiveHealthcheck, StevedoreError } from '@stevedore/shared';
import { makeDirectoryInRoot } from '../../storage/confined/resolve-in-root.js';
import { crashPoint } from '../../util/crash-point.js';
import { buildSpec } from '../bundle/build-spec.js';
import { startingHealth } from '../health/health-state.js';
import { hostDevices as allHostDevices, throttleDevices } from '../host-devices.js';
import { rotateBeforeStart } from '../logs/log-rotation.js';
import { cleanRuntimeMessage, launchConmon } from '../oci/conmon.js';
import { lookupUser } from '../rootfs/users.js';
import type { ContainerLogs } from './container-logs.js';
import { usesNetworkService } from './container-networking.js';
import type { ContainerRecord } from './container-record.js';
import { writeEtcFiles } from './create-container.js';
import { processArgs, processEnv } from './image-defaults.js';
import { mountShareableShm, unmountShareableShm } from './ipc-shm.js';
import { specMounts } from './mounts.js';
import type { RestartPolicy } from './restart-policy.js';
import { extraGroups, hostDevices, sharedNamespaces } from './run-options.js';
import type { ContainerContext } from './service-context.js';

type NetworkNamespace = 'new' | 'host' | { path: string; hostSide?: Promise<void> };

/**
 * `start`: mounts the layer and makes the network namespace, writes the OCI spec, launches the
 * container under conmon (`runc create`), wires up its network and runs it (`runc start`).
 */
export class ContainerStarter {
  constructor(
    private readonly ctx: ContainerContext,
    private readonly logs: Pick<ContainerLogs, 'limits' | 'watch'>,
    private readonly restarts: Pick<RestartPolicy, 'cancel'>,
    /** Removes a `--rm` container whose start failed. */
    private readonly remove: (id: string, options: { force: boolean; volumes: boolean }) => Promise<void>,
  ) {}

  async start(ref: string, beforeStart?: (bundle: string) => Promise<void>): Promise<ContainerRecord> {
    const { store, log } = this.ctx.deps;
    const id = store.get(ref).Id;
    try {
      const started = await this.startOnce(id, beforeStart);
      await store.written(id);
      return started;
    } catch (error) {
      // Docker removes a `--rm` container whose start failed: nothing would ever clean it up.
      const record = store.find(id);
      if (record?.HostConfig.AutoRemove && !record.State.Running) {
        // The start's own error is what the caller hears of.
        await this.remove(id, { force: false, volumes: true }).catch((removeError) =>
          log.debug({ err: removeError, id }, 'removing a --rm container whose start failed failed'),
        );
      }
      throw error;
    }
  }

  private startOnce(id: string, beforeStart?: (bundle: string) => Promise<void>): Promise<ContainerRecord> {
    return this.ctx.withLock(id, async () => {
      const record = this.ctx.deps.store.get(id);
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
      this.restarts.cancel(id);
      return this.startLocked({ ...record, ManuallyStopped: false }, beforeStart);
    });
  }

  /** Starts the container; the caller holds its lock. */
  async startLocked(
    record: ContainerRecord,
    /** Runs between create and start: an attach made here misses no output. */
    beforeStart?: (bundle: string) => Promise<void>,
  ): Promise<ContainerRecord> {
    const { layers, runc, store, host, log } = this.ctx.deps;
    const id = record.Id;
    const runtimeDir = this.ctx.runtimeDir(id);
    const { exitDir } = this.ctx;
    let created = false;
    // The network namespace is made while the layer mounts: two independent steps of every start.
    const pendingNetwork = this.networkNamespace(record);
    // Its failure is not lost: the `await pendingNetwork` below throws it (this only keeps it from
    // counting as unhandled while the layer mounts).
    pendingNetwork.catch(() => {});
    try {
      const rootfs = await layers.mountContainerLayer(id);
      const baseUser = await lookupUser(rootfs, record.Config.User);
      const groups = extraGroups(rootfs, record.HostConfig.GroupAdd);
      const user = { ...baseUser, additionalGids: [...new Set([...baseUser.additionalGids, ...groups])] };
      const devices = await hostDevices(record.HostConfig.Devices);
      const cwd = record.Config.WorkingDir || '/';
      makeDirectoryInRoot(rootfs, cwd);
      await mountShareableShm(record, store);
      const network = await pendingNetwork;
      const hostNetwork = network === 'host';
      const hostname = hostNetwork ? osHostname() : record.Config.Hostname;
      const etcDir = this.sharedEtcDir(record);
      const spec = buildSpec({
        config: record.Config,
        hostConfig: record.HostConfig,
        args: processArgs(record.Config),
        env: processEnv(record.Config, hostname, user.home),
        cwd,
        user,
        rootfs,
        etcFiles: {
          hosts: join(etcDir, 'hosts'),
          hostname: join(store.containerDir(id), 'hostname'),
          resolvConf: join(etcDir, 'resolv.conf'),
        },
        mounts: await specMounts(record.Mounts, record.HostConfig, rootfs, this.ctx.deps.volumes),
        network,
        cgroupsPath: this.ctx.cgroupsPath(id),
        swapAccounting: host.swapAccounting,
        blkioWeight: host.blkioWeight,
        hostDevices: record.HostConfig.Privileged ? await allHostDevices() : [],
        throttleRead: await throttleDevices(record.HostConfig.BlkioDeviceReadBps),
        throttleWrite: await throttleDevices(record.HostConfig.BlkioDeviceWriteBps),
        initBinary: record.HostConfig.Init ? host.initBinary : null,
        availableCapabilities: host.boundingCapabilities,
        idMap: this.ctx.deps.remap?.map ?? null,
        devices,
        devicePermissions: record.HostConfig.Devices.map((device) => device.CgroupPermissions),
        namespaces: sharedNamespaces(record, store),
      });
      await rm(runtimeDir, { recursive: true, force: true });
      await mkdir(runtimeDir, { recursive: true, mode: 0o700 });
      await writeFile(join(runtimeDir, 'config.json'), JSON.stringify(spec));
      await rm(join(exitDir, id), { force: true });
      await runc.delete(id, true);
      const noLog = record.HostConfig.LogConfig.Type === 'none';
      const logLimits = noLog ? null : this.logs.limits(record);
      if (logLimits) await rotateBeforeStart(this.ctx.logPath(id), logLimits.maxFiles);
      const pid = await launchConmon(this.ctx.deps.conmonBinary, runc, {
        id,
        name: record.Name,
        bundle: runtimeDir,
        pidFile: join(runtimeDir, 'pidfile'),
        conmonPidFile: join(runtimeDir, 'conmon.pid'),
        exitDir,
        persistDir: runtimeDir,
        // conmon links `<socketDir>/<id>` to the bundle and makes its attach socket `<bundle>/attach`.
        socketDir: join(this.ctx.deps.execRoot, 'sockets'),
        logPath: this.ctx.logPath(id),
        noLog,
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
          // Docker's rule: every start begins the probes again from "starting", the log kept.
          ...(effectiveHealthcheck(record.Config.Healthcheck)
            ? { Health: startingHealth(record.State.Health) }
            : {}),
        },
      };
      store.update(started);
      this.logs.watch(started);
      this.ctx.publish(started, 'start');
      return started;
    } catch (error) {
      // The start failed with `error`; what undoing it leaves, the next start (or the agent's) clears.
      const undoFailed = (step: string) => (undoError: unknown) =>
        log.debug({ err: undoError, id }, `undoing a failed start: ${step} failed`);
      if (created) await runc.delete(id, true).catch(undoFailed('runc delete'));
      // The host side may still be in progress: undoing it now could miss what it adds next.
      // A namespace that failed is `error` itself, or came after it: nothing to report.
      const network = await pendingNetwork.catch(() => null);
      if (typeof network === 'object') await network?.hostSide?.catch(undoFailed('the network host side'));
      await this.ctx.deps.networking.tearDown(id).catch(undoFailed('removing the network namespace'));
      await layers.unmountContainerLayer(id).catch(undoFailed('unmounting the layer'));
      await unmountShareableShm(id, store).catch(undoFailed('unmounting /dev/shm'));
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

  private async networkNamespace(record: ContainerRecord): Promise<NetworkNamespace> {
    const mode = record.HostConfig.NetworkMode;
    if (mode === 'host') return 'host';
    if (usesNetworkService(mode)) {
      // A user-namespaced container needs a network namespace its user namespace owns (or the
      // kernel refuses sysfs and `exec`): runc makes it, and it is wired up after `runc create`.
      if (this.ctx.deps.remap) return 'new';
      return this.setUpNetwork(record);
    }
    if (mode.startsWith('container:')) {
      const target = this.ctx.deps.store.get(mode.slice('container:'.length));
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

  /**
   * Where the container's /etc/hosts and /etc/resolv.conf come from: its own directory, or with
   * `--network container:X` X's, as Docker shares them (names and resolver go with the namespace).
   */
  private sharedEtcDir(record: ContainerRecord): string {
    const mode = record.HostConfig.NetworkMode;
    const { store } = this.ctx.deps;
    if (!mode.startsWith('container:')) return store.containerDir(record.Id);
    return store.containerDir(store.get(mode.slice('container:'.length)).Id);
  }

  private async setUpNetwork(
    record: ContainerRecord,
    namespace?: string,
  ): Promise<{ path: string; hostSide: Promise<void> }> {
    const network = await this.ctx.deps.networking.setUp(record, namespace);
    await writeEtcFiles(this.ctx, record, { ...network, hostname: record.Config.Hostname });
    return { path: network.path, hostSide: network.hostSide };
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
