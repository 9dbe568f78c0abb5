import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ContainerLogs } from './container-logs.js';
import type { ContainerRecord } from './container-record.js';
import type { ExitMonitor } from './exit-monitor.js';
import { removeOrphans, removeRuntimeFiles } from './orphans.js';
import type { RestartPolicy } from './restart-policy.js';
import type { ContainerContext } from './service-context.js';
import type { ContainerStarter } from './start-container.js';

/** What start-up uses of the rest of the service. */
export interface ReconcileParts {
  exits: Pick<ExitMonitor, 'releaseRuntime' | 'recordExit' | 'afterExit' | 'exitTime'>;
  restarts: Pick<RestartPolicy, 'isScheduled'>;
  logs: Pick<ContainerLogs, 'watch'>;
  starter: Pick<ContainerStarter, 'start'>;
}

/**
 * After an agent restart: containers that kept running under conmon are adopted, those that
 * ended meanwhile get their exit recorded (and their restart policy), and containers a host
 * reboot stopped come back when their policy says so.
 */
export async function reconcile(ctx: ContainerContext, parts: ReconcileParts): Promise<void> {
  const { store, runc, networking, layers, execRoot, log } = ctx.deps;
  const { exits, restarts, logs, starter } = parts;
  await removeOrphans(new Set(store.all().map((record) => record.Id)), {
    runc,
    networking,
    layers,
    execRoot,
    log,
  });
  for (const record of store.all()) {
    const id = record.Id;
    if (!(record.State.Running || record.State.Paused || record.State.Restarting)) {
      // Recorded as exited (or never started), but the agent died before undoing what the
      // container held: a created container under conmon, its namespace, its mount.
      if (
        existsSync(join(runc.root, id)) ||
        networking.isSetUp(id) ||
        (await layers.isContainerLayerMounted(id))
      ) {
        await exits.releaseRuntime(id);
      }
      await removeRuntimeFiles(execRoot, id);
      continue;
    }
    const exitText = await readFile(join(ctx.exitDir, id), 'utf8').catch(() => null);
    const state = exitText === null ? await runc.state(id).catch(() => null) : null;
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
      store.update(adopted);
      logs.watch(adopted);
      log.info({ id, pid: state.pid }, 'adopted running container');
      continue;
    }
    const exitCode = exitText !== null && exitText.trim() !== '' ? Number.parseInt(exitText.trim(), 10) : 255;
    const error =
      exitText === null && record.State.Running
        ? 'the container ended while the agent was down and its exit code was lost'
        : '';
    const exited = await exits.recordExit(
      { ...record, State: { ...record.State, Running: true } },
      exitCode,
      error,
      exitText === null ? undefined : await exits.exitTime(id),
    );
    await exits.afterExit(exited);
  }
  // Docker's rule at daemon start: `always` comes back even after a manual stop,
  // `unless-stopped` only if it was not stopped by hand.
  for (const record of store.all()) {
    const policy = record.HostConfig.RestartPolicy.Name;
    if (record.State.Status !== 'exited' || restarts.isScheduled(record.Id)) continue;
    if (policy === 'always' || (policy === 'unless-stopped' && !record.ManuallyStopped)) {
      await starter
        .start(record.Id)
        .catch((error) => log.warn({ err: error, id: record.Id }, 'restart at start-up failed'));
    }
  }
}
