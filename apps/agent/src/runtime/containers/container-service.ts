import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type {
  AttachEvent,
  ContainerCreate,
  ContainerInspect,
  ContainerLimits,
  ContainerSummary,
  EndpointRequest,
  HealthResult,
  HealthState,
  LogLine,
  PruneReport,
  PublishedPort,
  ResourcesUpdate,
  TopResult,
  UpdateResult,
  WaitResult,
} from '@stevedore/shared';
import type { HealthTarget } from '../health/health-state.js';
import { ContainerLimitsReader } from '../limits/container-limits.js';
import type { SampledContainer } from '../stats/stats-sampler.js';
import { AttachSessions } from './container-attach.js';
import { ContainerFilesystem } from './container-filesystem.js';
import { healthTargetOf, recordHealth } from './container-health.js';
import { ContainerLogView } from './container-log-view.js';
import { ContainerLogs, type LogOptions } from './container-logs.js';
import { ContainerQueries } from './container-queries.js';
import type { ContainerRecord } from './container-record.js';
import { containerTop } from './container-top.js';
import { ContainerCreator } from './create-container.js';
import { ExitMonitor } from './exit-monitor.js';
import type { WaitCondition } from './exit-waiters.js';
import { ContainerPauser } from './pause-container.js';
import { reconcile } from './reconcile.js';
import { ContainerRemover } from './remove-container.js';
import { RestartPolicy } from './restart-policy.js';
import { ContainerContext, type ContainerServiceDeps } from './service-context.js';
import { stopForShutdown } from './shutdown.js';
import { ContainerStarter } from './start-container.js';
import { ContainerStopper } from './stop-container.js';
import { attachOutputAsLines } from './unlogged-output.js';
import { ContainerUpdater } from './update-container.js';

export type { LogOptions } from './container-logs.js';
export type { ContainerServiceDeps } from './service-context.js';
export { startFailureExitCode } from './start-container.js';

/**
 * The containers of the agent, for the API, the CLI and the other services: each request is
 * handed to the part that does it (create, start, stop, exits and restarts, logs, attach, ...).
 * Those parts share one `ContainerContext`: the store, a lock per container, waiters, events.
 */
export class ContainerService {
  private readonly ctx: ContainerContext;
  private readonly logOutput: ContainerLogs;
  private readonly restarts: RestartPolicy;
  private readonly exits: ExitMonitor;
  private readonly creator: ContainerCreator;
  private readonly starter: ContainerStarter;
  private readonly stopper: ContainerStopper;
  private readonly pauser: ContainerPauser;
  private readonly remover: ContainerRemover;
  private readonly updater: ContainerUpdater;
  private readonly attachments: AttachSessions;
  private readonly queries: ContainerQueries;

  /** `export`, `cp` in and out, `commit`. */
  readonly files: ContainerFilesystem;
  /** The log viewer's pages and searches over the whole log (container-log-view.ts). */
  readonly logView: ContainerLogView;

  private constructor(deps: ContainerServiceDeps) {
    const ctx = new ContainerContext(deps);
    const remove = (id: string, options: { force: boolean; volumes: boolean }) => this.remove(id, options);
    this.ctx = ctx;
    // `run` in the foreground, `start -a`: Docker's "attach" event comes between create and start.
    const attached = (id: string) => async () => ctx.publish(ctx.deps.store.get(id), 'attach');
    this.logOutput = new ContainerLogs(ctx, (id) => this.start(id, attached(id)));
    this.logView = new ContainerLogView(ctx, this.logOutput);
    this.restarts = new RestartPolicy(ctx, (record) => this.starter.startLocked(record));
    this.exits = new ExitMonitor(ctx, this.restarts, {
      releaseLog: (id) => this.logOutput.release(id),
      remove,
    });
    this.creator = new ContainerCreator(ctx);
    this.starter = new ContainerStarter(ctx, this.logOutput, this.restarts, remove);
    this.stopper = new ContainerStopper(ctx, this.restarts, this.starter);
    this.pauser = new ContainerPauser(ctx);
    this.remover = new ContainerRemover(ctx, this.restarts);
    this.updater = new ContainerUpdater(ctx, new ContainerLimitsReader(deps.host));
    this.attachments = new AttachSessions(ctx, this.logOutput, this.starter);
    this.queries = new ContainerQueries(ctx, remove);
    this.files = new ContainerFilesystem(deps, {
      withLock: (key, fn) => ctx.withLock(key, fn),
      publish: (record, action, extra) => ctx.publish(record, action, extra),
    });
  }

  static async create(deps: ContainerServiceDeps): Promise<ContainerService> {
    const service = new ContainerService(deps);
    await mkdir(service.ctx.exitDir, { recursive: true, mode: 0o700 });
    await mkdir(join(deps.execRoot, 'containers'), { recursive: true, mode: 0o700 });
    await mkdir(join(deps.execRoot, 'sockets'), { recursive: true, mode: 0o700 });
    service.exits.watch();
    await deps.store.load();
    service.exits.recordsLoaded();
    await reconcile(service.ctx, {
      exits: service.exits,
      restarts: service.restarts,
      logs: service.logOutput,
      starter: service.starter,
    });
    return service;
  }

  // ---- queries (container-queries.ts, container-top.ts) ----------------------------------------

  list(all: boolean, filters: string[] = []): ContainerSummary[] {
    return this.queries.list(all, filters);
  }

  counts(): { total: number; running: number; paused: number; stopped: number } {
    return this.queries.counts();
  }

  inspect(ref: string): Promise<ContainerInspect> {
    return this.queries.inspect(ref);
  }

  /** A running container an exec can join, with its mounted root. */
  execTarget(ref: string): { record: ContainerRecord; rootfs: string } {
    return this.queries.execTarget(ref);
  }

  /** Running containers with what the stats sampler reads. */
  runningForStats(): SampledContainer[] {
    return this.queries.runningForStats();
  }

  /** Resolves names and ID prefixes to full IDs (for stats). */
  resolveIds(refs: readonly string[]): string[] {
    return this.queries.resolveIds(refs);
  }

  top(ref: string, psArgs = '-ef'): Promise<TopResult> {
    return containerTop(this.ctx.deps, ref, psArgs);
  }

  prune(): Promise<PruneReport> {
    return this.queries.prune();
  }

  ports(ref: string): PublishedPort[] {
    return this.queries.ports(ref);
  }

  volumeInUse(name: string): boolean {
    return this.queries.volumeInUse(name);
  }

  // ---- lifecycle (create-, start-, stop-, pause-, remove-, update-container.ts) ------------------

  create(input: ContainerCreate): Promise<{ Id: string; Warnings: string[] }> {
    return this.creator.create(input);
  }

  start(ref: string, beforeStart?: (bundle: string) => Promise<void>): Promise<ContainerRecord> {
    return this.starter.start(ref, beforeStart);
  }

  stop(ref: string, timeoutSeconds?: number, signalOverride?: string): Promise<void> {
    return this.stopper.stop(ref, timeoutSeconds, signalOverride);
  }

  kill(ref: string, signalText = 'SIGKILL'): Promise<void> {
    return this.stopper.kill(ref, signalText);
  }

  restart(ref: string, timeoutSeconds?: number): Promise<void> {
    return this.stopper.restart(ref, timeoutSeconds);
  }

  pause(ref: string): Promise<void> {
    return this.pauser.pause(ref);
  }

  unpause(ref: string): Promise<void> {
    return this.pauser.unpause(ref);
  }

  remove(ref: string, options: { force: boolean; volumes: boolean }): Promise<void> {
    return this.remover.remove(ref, options);
  }

  rename(ref: string, newName: string): Promise<void> {
    return this.updater.rename(ref, newName);
  }

  update(ref: string, changes: ResourcesUpdate): Promise<UpdateResult> {
    return this.updater.update(ref, changes);
  }

  /** The container's limits read back from its cgroup files, with its configuration and the host's capacity. */
  limits(ref: string): ContainerLimits {
    return this.updater.limits(this.ctx.deps.store.get(ref));
  }

  connectNetwork(ref: string, network: string, request: EndpointRequest): Promise<void> {
    return this.updater.connectNetwork(ref, network, request);
  }

  disconnectNetwork(ref: string, network: string): Promise<void> {
    return this.updater.disconnectNetwork(ref, network);
  }

  publishExec(record: ContainerRecord, action: string, attributes: Record<string, string>): void {
    this.ctx.publish(record, action, attributes);
  }

  // ---- healthchecks (container-health.ts; runtime/health runs the probes) ----------------------

  /** Running containers with a healthcheck, for the monitor to arm (at start-up, after adoption). */
  healthTargets(): HealthTarget[] {
    return this.ctx.deps.store
      .all()
      .map(healthTargetOf)
      .filter((target) => target !== null);
  }

  healthTarget(id: string): HealthTarget | null {
    const record = this.ctx.deps.store.find(id);
    return record ? healthTargetOf(record) : null;
  }

  /** A probe's result for the run started at `startedAt`; null when that run is over. */
  recordHealth(id: string, startedAt: string, result: HealthResult): Promise<HealthState | null> {
    return recordHealth(this.ctx, id, startedAt, result);
  }

  // ---- exits (exit-waiters.ts, exit-monitor.ts) ------------------------------------------------

  wait(ref: string, condition: WaitCondition = 'not-running'): Promise<WaitResult> {
    return this.ctx.waiters.wait(ref, condition);
  }

  /** Resolves once every exit already told to an attached `run` is cleaned up (and removed, for `--rm`). */
  settled(): Promise<void> {
    return this.exits.settled();
  }

  // ---- output (container-logs.ts, container-attach.ts) -----------------------------------------

  /** Lines of the log as `logs` reads them; with `startIt` (for `run`) starts it and ends with the exit status. */
  async *attach(
    ref: string,
    options: LogOptions & { startIt: boolean },
    signal: AbortSignal,
  ): AsyncGenerator<{ type: 'line'; line: LogLine } | { type: 'exit'; result: WaitResult }> {
    if (options.startIt && this.ctx.deps.store.get(ref).HostConfig.LogConfig.Type === 'none') {
      // No log to follow: the output comes from conmon's attach socket, connected before start.
      yield* attachOutputAsLines(this.attachments.attach(ref, { startIt: true, rows: 0, cols: 0 }, signal));
      return;
    }
    for await (const event of this.logOutput.output(ref, options, signal)) {
      if (event.type === 'exit') yield event;
      else for (const line of event.lines) yield { type: 'line', line };
    }
  }

  /** `logs`: batches of lines (each one read of the log), as `attach` without starting. */
  async *logs(ref: string, options: LogOptions, signal: AbortSignal): AsyncGenerator<LogLine[]> {
    for await (const event of this.logOutput.output(ref, { ...options, startIt: false }, signal)) {
      if (event.type === 'lines') yield event.lines;
    }
  }

  attachInteractive(
    ref: string,
    options: { startIt: boolean; rows: number; cols: number },
    signal: AbortSignal,
  ): AsyncGenerator<AttachEvent> {
    return this.attachments.attach(ref, options, signal);
  }

  attachWrite(attachId: string, data: Buffer, eof: boolean): void {
    this.attachments.write(attachId, data, eof);
  }

  attachResize(attachId: string, rows: number, cols: number): Promise<void> {
    return this.attachments.resize(attachId, rows, cols);
  }

  // ---- shutdown (shutdown.ts) --------------------------------------------------------------------

  /**
   * On a graceful shutdown without live-restore, containers stop like Docker's do; with it (or
   * when the agent is killed) they keep running under conmon and are adopted on the next start.
   */
  async close(stopContainers: boolean): Promise<void> {
    this.exits.close();
    this.logOutput.close();
    this.restarts.close();
    if (stopContainers) await stopForShutdown(this.ctx);
  }
}
