import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { AsyncQueue, type MigrateDataRoot, type MigrationProgress, StevedoreError } from '@stevedore/shared';
import type { AgentConfig } from '../../config/agent-config.js';
import type { ConfigService } from '../../config/config-service.js';
import { crashPoint } from '../../util/crash-point.js';
import type { Logger } from '../../util/logger.js';
import { INCOMPLETE_MARKER, type Journal, readJournal, removeJournal, writeJournal } from './journal.js';
import { writeLastOutcome } from './last-outcome.js';
import { copyTree, differences } from './rsync.js';
import { checkTarget } from './target-checks.js';

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

/**
 * `system.migrateDataRoot`: check the target, stop (or refuse) running containers, copy the root
 * with rsync, verify the copy, switch `data-root` in the config file atomically and restart the
 * agent on it. The old root stays for the user to remove. Cancellable until the switch; any
 * failure (or a crash, see `settleMigration`) leaves the old root in use.
 */
export class MigrationService {
  private running = false;

  constructor(private readonly deps: MigrationDeps) {}

  /** Whether a migration is under way (`system.dataRoot` says so). */
  get isRunning(): boolean {
    return this.running;
  }

  async *migrate(input: MigrateDataRoot, signal: AbortSignal): AsyncGenerator<MigrationProgress> {
    if (this.running) throw new StevedoreError('CONFLICT', 'a data-root migration is already running');
    this.running = true;
    const queue = new AsyncQueue<MigrationProgress>();
    const work = this.run(input, signal, (progress) => queue.push(progress)).then(
      () => queue.close(),
      (error) => queue.close(error),
    );
    try {
      yield* queue.drain();
    } finally {
      await work;
      this.running = false;
    }
  }

  private async run(input: MigrateDataRoot, signal: AbortSignal, report: (p: MigrationProgress) => void) {
    const { config } = this.deps;
    const phase = (name: Phase, message: string, extra: Partial<MigrationProgress> = {}) =>
      report({ phase: name, message, ...extra });
    const source = config.dataRoot;
    const target = resolve(input.target);
    phase('checking', `checking ${target}`);
    if (config.flagKeys.includes('data-root')) {
      throw new StevedoreError(
        'FAILED_PRECONDITION',
        'data-root is set by the --data-root flag, which wins over the config file: start the agent with data-root in its config file to migrate',
      );
    }
    const running = this.deps.containers.running();
    if (running.some((c) => c.paused)) {
      throw new StevedoreError(
        'CONFLICT',
        `paused containers cannot be moved: unpause or stop ${running
          .filter((c) => c.paused)
          .map((c) => c.Name)
          .join(', ')}`,
      );
    }
    if (running.length > 0 && !input.stopContainers) {
      throw new StevedoreError(
        'CONFLICT',
        `containers are running (${running.map((c) => c.Name).join(', ')}): stop them, or ask to have them stopped for the copy and started again after`,
        { containers: running.map((c) => c.Id) },
      );
    }
    const totalBytes = await checkTarget(source, target);
    const journal: Journal = {
      role: 'source',
      source,
      target,
      stopped: running.map((c) => c.Id),
      startedAt: new Date().toISOString(),
    };
    await writeJournal(source, journal);
    await writeFile(join(target, INCOMPLETE_MARKER), `${source}\n`);
    let resumeWriters = () => {};
    try {
      if (running.length > 0) {
        phase('stopping', `stopping ${running.length} container${running.length === 1 ? '' : 's'}`);
        for (const container of running) await this.deps.containers.stop(container.Id);
      }
      // The stops' events and the stopped containers' last usage minute are written after the stops
      // return: copied while still being written, a file would differ from its copy at the verification.
      resumeWriters = await this.deps.quiesceWriters();
      phase('copying', `copying ${source} to ${target}`, { bytes: 0, totalBytes, files: 0 });
      let reported = false;
      await copyTree(
        source,
        target,
        ({ bytes, files }) => {
          phase('copying', `copying ${source} to ${target}`, { bytes, totalBytes, files });
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
    await writeJournal(target, { ...journal, role: 'target' });
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

/** Removes the copy (only a target that still carries the marker) and the source's journal. */
async function rollBack(journal: Journal, log: Logger): Promise<void> {
  await killStrayCopies(journal.target);
  const marked = await readFile(join(journal.target, INCOMPLETE_MARKER), 'utf8').then(
    () => true,
    () => false,
  );
  if (marked) await rm(journal.target, { recursive: true, force: true });
  else log.warn({ target: journal.target }, 'the migration target has no marker; left in place');
  await removeJournal(journal.source);
}

/** rsync processes still copying into `target` (their agent was killed). */
async function killStrayCopies(target: string): Promise<void> {
  for (const pid of await readdir('/proc').catch(() => [] as string[])) {
    if (!/^\d+$/.test(pid)) continue;
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    const args = cmdline.split('\0');
    if (/(^|\/)rsync$/.test(args[0] ?? '') && args.includes(`${target}/`)) {
      try {
        process.kill(Number(pid), 'SIGKILL');
      } catch {
        // It exited meanwhile: nothing left to stop.
      }
    }
  }
}

export interface SettledMigration {
  outcome: 'finished' | 'rolled back';
  source: string;
  target: string;
  /** Containers to start again. */
  stopped: string[];
}

/** What the log (and, after a roll-back, `info`'s warnings) says of a settled migration. */
export function settledMigrationMessage(settled: SettledMigration): string {
  return settled.outcome === 'finished'
    ? `data-root migration from ${settled.source} finished; the old root is kept until you remove it`
    : `data-root migration to ${settled.target} was interrupted and rolled back; ${settled.source} stays in use`;
}

/**
 * At start, before anything uses the data-root: a journal in the root the config names finishes
 * (target) or rolls back (source) a migration an earlier agent did not complete.
 */
export async function settleMigration(dataRoot: string, log: Logger): Promise<SettledMigration | null> {
  const journal = await readJournal(dataRoot);
  if (!journal) return null;
  if (journal.role === 'target' && journal.target === dataRoot) {
    await rm(join(dataRoot, INCOMPLETE_MARKER), { force: true });
    await removeJournal(journal.source);
    await removeJournal(dataRoot);
    log.info({ source: journal.source, target: dataRoot }, 'data-root migration finished');
    const settled: SettledMigration = {
      outcome: 'finished',
      source: journal.source,
      target: dataRoot,
      stopped: journal.stopped,
    };
    await recordSettled(settled, dataRoot, log);
    return settled;
  }
  if (journal.role === 'source' && journal.source === dataRoot) {
    await rollBack(journal, log);
    log.warn(
      { source: dataRoot, target: journal.target },
      'data-root migration was interrupted and rolled back',
    );
    const settled: SettledMigration = {
      outcome: 'rolled back',
      source: dataRoot,
      target: journal.target,
      stopped: journal.stopped,
    };
    await recordSettled(settled, dataRoot, log);
    return settled;
  }
  log.warn({ journal }, 'ignoring a migration journal that does not belong to this data-root');
  return null;
}

/** The ending, in the root now in use, for `system.dataRoot` to report. */
function recordSettled(settled: SettledMigration, root: string, log: Logger): Promise<void> {
  return writeLastOutcome(
    root,
    {
      outcome: settled.outcome,
      source: settled.source,
      target: settled.target,
      at: new Date().toISOString(),
      message: settledMigrationMessage(settled),
    },
    log,
  );
}
