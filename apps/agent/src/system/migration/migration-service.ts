import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  AsyncQueue,
  type MigrateDataRoot,
  type MigrationOutcome,
  type MigrationProgress,
  type MigrationState,
  type MigrationStatus,
  StevedoreError,
} from '@stevedore/shared';
import type { AgentConfig } from '../../config/agent-config.js';
import type { ConfigService } from '../../config/config-service.js';
import { crashPoint } from '../../util/crash-point.js';
import type { Logger } from '../../util/logger.js';
import { INCOMPLETE_MARKER, type Journal, writeJournal } from './journal.js';
import { readLastOutcome, writeLastOutcome } from './last-outcome.js';
import { type Plan, planMigration } from './migration-plan.js';
import { rollBack } from './roll-back.js';
import { copyTree, differences } from './rsync.js';

export interface MigrationDeps {
  config: AgentConfig;
  configService: Pick<ConfigService, 'update'>;
  containers: {
    running(): { Id: string; Name: string; paused: boolean }[];
    stop(id: string): Promise<unknown>;
    start(id: string): Promise<unknown>;
  };
  /** Restarts the agent in-process on the new configuration. */
  requestReload(): void;
  /**
   * Stops the writers of files under the data-root that outlive their containers (the events file,
   * usage history) once what they have is written; the copy must see files that no longer change.
   * Resolves with the function that lets them go on (after a rollback).
   */
  quiesceWriters(): Promise<() => void>;
  log: Logger;
}

type Phase = MigrationProgress['phase'];

/** Phases after which the old root is no longer the one to keep: a cancel would come too late. */
const TOO_LATE_TO_CANCEL = new Set<Phase>(['switching', 'restarting']);

interface Run {
  state: MigrationState;
  abort: AbortController;
  /** Settles when the run has ended (rejects with why it failed or was cancelled). */
  ended: Promise<void>;
  listeners: Set<() => void>;
}

/**
 * The data-root migration, owned by the agent: `start` checks the target, then the copy runs on
 * its own — no client holds it. It stops (or refuses) running containers, copies the root with
 * rsync, verifies the copy, switches `data-root` in the config file atomically and restarts the
 * agent on it. The old root stays for the user to remove. Cancellable (`cancel`) until the
 * switch; any failure (or a crash, see `settleMigration`) leaves the old root in use. Anyone may
 * read (`status`) or follow (`follow`) a running migration, and how the last one ended.
 */
export class MigrationService {
  private run: Run | null = null;
  private preparing = false;

  constructor(private readonly deps: MigrationDeps) {}

  /** Whether a migration is under way (`system.dataRoot` says so). */
  get isRunning(): boolean {
    return this.run !== null || this.preparing;
  }

  /** `system.migration`: the running migration and the last one's outcome (from the root in use). */
  async status(): Promise<MigrationStatus> {
    return {
      running: this.run ? { ...this.run.state } : null,
      last: await readLastOutcome(this.deps.config.dataRoot, this.deps.log),
    };
  }

  /**
   * Checks everything that can be checked before a byte is copied (refusals come back as errors
   * here), then starts the migration and returns its first state.
   */
  async start(input: MigrateDataRoot): Promise<MigrationState> {
    if (this.isRunning) throw new StevedoreError('CONFLICT', 'a data-root migration is already running');
    this.preparing = true;
    let plan: Plan;
    try {
      plan = await planMigration(this.deps, input);
    } finally {
      this.preparing = false;
    }
    const run: Run = {
      state: {
        source: plan.source,
        target: plan.target,
        stopContainers: input.stopContainers,
        startedBy: input.startedBy ?? null,
        startedAt: new Date().toISOString(),
        status: 'running',
        phase: 'checking',
        phasesSeen: ['checking'],
        message: `checked ${plan.target}`,
        bytes: null,
        totalBytes: plan.totalBytes,
        files: null,
      },
      abort: new AbortController(),
      ended: Promise.resolve(),
      listeners: new Set(),
    };
    this.run = run;
    run.ended = this.execute(run, plan).then(
      () => this.end(run),
      (error) => {
        this.end(run);
        throw error;
      },
    );
    // Whoever follows learns the error; nobody following must not make it an unhandled rejection.
    run.ended.catch((error) =>
      this.deps.log.info({ err: error, target: plan.target }, 'data-root migration ended'),
    );
    return { ...run.state };
  }

  /** Stops the copy: rsync is killed, the copy removed, stopped containers started again. */
  cancel(): MigrationState {
    const run = this.run;
    if (!run) throw new StevedoreError('FAILED_PRECONDITION', 'no data-root migration is running');
    if (TOO_LATE_TO_CANCEL.has(run.state.phase)) {
      throw new StevedoreError(
        'FAILED_PRECONDITION',
        'the copy is verified and the agent is switching to it: too late to cancel',
      );
    }
    this.update(run, { status: 'cancelling', message: 'cancelling: removing the copy' });
    run.abort.abort();
    return { ...run.state };
  }

  /**
   * The running migration's state now and at each change, until it ends (then the generator
   * returns; `status` has the outcome). Returns at once when none runs. Ending the follow leaves
   * the migration running.
   */
  async *follow(signal: AbortSignal): AsyncGenerator<MigrationState> {
    const run = this.run;
    if (!run) return;
    const queue = new AsyncQueue<MigrationState>();
    const listener = () => queue.push({ ...run.state });
    run.listeners.add(listener);
    const stop = () => queue.close();
    signal.addEventListener('abort', stop);
    run.ended.then(stop, stop);
    try {
      yield { ...run.state };
      yield* queue.drain();
    } finally {
      run.listeners.delete(listener);
      signal.removeEventListener('abort', stop);
    }
  }

  /**
   * `system.migrateDataRoot` (the CLI): start and follow in one; ending the subscription (Ctrl-C)
   * cancels, as the command's user asked. The dashboard starts (`start`) and follows instead, so
   * that losing it costs nothing.
   */
  async *migrate(input: MigrateDataRoot, signal: AbortSignal): AsyncGenerator<MigrationProgress> {
    await this.start(input);
    const run = this.run;
    if (!run) return;
    const cancelOnAbort = () => {
      if (this.run === run && !TOO_LATE_TO_CANCEL.has(run.state.phase)) this.cancel();
    };
    signal.addEventListener('abort', cancelOnAbort);
    try {
      let last: Phase | null = null;
      let lastBytes: number | null = null;
      for await (const state of this.follow(signal)) {
        if (state.phase === last && state.bytes === lastBytes) continue;
        last = state.phase;
        lastBytes = state.bytes;
        yield {
          phase: state.phase,
          message: state.message,
          ...(state.bytes !== null ? { bytes: state.bytes } : {}),
          ...(state.totalBytes !== null && state.phase === 'copying' ? { totalBytes: state.totalBytes } : {}),
          ...(state.files !== null ? { files: state.files } : {}),
        };
      }
      if (!signal.aborted) await run.ended;
    } finally {
      signal.removeEventListener('abort', cancelOnAbort);
    }
  }

  private end(run: Run): void {
    // After the switch the agent restarts: the run stays visible ("restarting") until it has.
    if (run.state.phase !== 'restarting' && this.run === run) this.run = null;
    for (const listener of run.listeners) listener();
  }

  private update(run: Run, changes: Partial<MigrationState>): void {
    const phasesSeen =
      changes.phase && !run.state.phasesSeen.includes(changes.phase)
        ? [...run.state.phasesSeen, changes.phase]
        : run.state.phasesSeen;
    run.state = { ...run.state, ...changes, phasesSeen };
    for (const listener of run.listeners) listener();
  }

  private async execute(run: Run, plan: Plan): Promise<void> {
    const { source, target, running, totalBytes } = plan;
    const signal = run.abort.signal;
    const phase = (name: Phase, message: string, extra: Partial<MigrationState> = {}) =>
      this.update(run, { phase: name, message, ...extra });
    const journal: Journal = {
      role: 'source',
      source,
      target,
      stopped: running.map((c) => c.Id),
      startedAt: run.state.startedAt,
      startedBy: run.state.startedBy,
      stopContainers: run.state.stopContainers,
    };
    await writeJournal(source, journal);
    await writeFile(join(target, INCOMPLETE_MARKER), `${source}\n`);
    let resumeWriters = () => {};
    try {
      if (running.length > 0) {
        phase('stopping', `stopping ${running.length} container${running.length === 1 ? '' : 's'}`);
        for (const container of running) await this.deps.containers.stop(container.Id);
      }
      if (signal.aborted) throw new StevedoreError('CONFLICT', 'the migration was cancelled');
      // The stops' events and the stopped containers' last usage minute are written after the stops
      // return: copied while still being written, a file would differ from its copy at the verification.
      resumeWriters = await this.deps.quiesceWriters();
      phase('copying', `copying ${source} to ${target}`, { bytes: 0, totalBytes, files: 0 });
      let reported = false;
      await copyTree(
        source,
        target,
        ({ bytes, files }) => {
          if (run.state.status === 'running')
            phase('copying', `copying ${source} to ${target}`, { bytes, files });
          if (!reported) {
            reported = true;
            crashPoint('copying');
          }
        },
        signal,
      );
      crashPoint('verifying');
      phase('verifying', 'comparing every file of the copy with the original');
      const different = await differences(source, target, signal);
      if (different.length > 0) {
        throw new StevedoreError(
          'INTERNAL',
          `the copy differs from the original in ${different.length} place${different.length === 1 ? '' : 's'}, e.g. ${different.slice(0, 3).join('; ')}`,
        );
      }
      if (signal.aborted) throw new StevedoreError('CONFLICT', 'the migration was cancelled');
    } catch (error) {
      resumeWriters();
      await rollBack(journal, this.deps.log);
      await this.restart(journal.stopped);
      await writeLastOutcome(
        source,
        {
          ...outcomeDetails(run.state),
          outcome: signal.aborted ? 'cancelled' : 'failed',
          source,
          target,
          at: new Date().toISOString(),
          message: signal.aborted
            ? `cancelled; the copy was removed and ${source} stays in use`
            : `${error instanceof Error ? error.message : String(error)}; the copy was removed and ${source} stays in use`,
        },
        this.deps.log,
      );
      throw error;
    }
    phase('switching', `switching data-root to ${target}`);
    const { phasesSeen, bytes, files } = run.state;
    await writeJournal(target, {
      ...journal,
      role: 'target',
      progress: { phasesSeen: [...phasesSeen, 'restarting'], bytes, totalBytes, files },
    });
    crashPoint('switching');
    await this.deps.configService.update({ 'data-root': target });
    crashPoint('switched');
    phase('restarting', `restarting the agent on ${target}; the old root ${source} is kept`);
    setTimeout(() => this.deps.requestReload(), 100);
  }

  private async restart(ids: readonly string[]): Promise<void> {
    for (const id of ids) {
      await this.deps.containers
        .start(id)
        .catch((error) =>
          this.deps.log.warn({ err: error, id }, 'restarting a container after the migration failed'),
        );
    }
  }
}

/** The run's facts an outcome keeps, so that the dashboard can show how far it went. */
function outcomeDetails(state: MigrationState): Partial<MigrationOutcome> {
  return {
    startedAt: state.startedAt,
    startedBy: state.startedBy,
    stopContainers: state.stopContainers,
    phasesSeen: state.phasesSeen,
    bytes: state.bytes,
    totalBytes: state.totalBytes,
    files: state.files,
  };
}
