import { resolve } from 'node:path';
import { humanSize, type MigrationProgress } from '@stevedore/shared';
import type { Command } from '../../command.js';
import { OperationalError } from '../../errors.js';

/** `stevedore system migrate-root DIR`: the whole move, with progress, then a check on the result. */
export const migrateRootCommand: Command = {
  path: ['system', 'migrate-root'],
  usage: '[OPTIONS] DIR',
  description: 'Move the data-root to DIR: check, copy, verify, switch and restart the agent on it',
  flags: [
    {
      name: 'stop-containers',
      kind: 'boolean',
      description: 'Stop running containers for the copy and start them again after (default: refuse)',
    },
  ],
  args: { min: 1, max: 1 },
  async execute(context) {
    const target = resolve(context.args[0] as string);
    const client = await context.agent();
    let phase: MigrationProgress['phase'] | null = null;
    let lastCopyLine = 0;
    let copied: MigrationProgress | null = null;
    const copyLine = (progress: MigrationProgress) => {
      const total = progress.totalBytes ? ` of ${humanSize(progress.totalBytes)}` : '';
      return `copying: ${humanSize(progress.bytes ?? 0)}${total}, ${progress.files ?? 0} files`;
    };
    await new Promise<void>((done, fail) => {
      client.system.migrateDataRoot.subscribe(
        { target, stopContainers: context.flags.get('stop-containers') === true },
        {
          onData: (progress) => {
            if (progress.phase !== phase) {
              if (phase === 'copying' && copied) context.reporter.line(copyLine(copied));
              phase = progress.phase;
              context.reporter.line(`${progress.phase}: ${progress.message}`);
              return;
            }
            // Copy progress at most twice a second, and the final count.
            if (progress.phase === 'copying') {
              copied = progress;
              if (Date.now() - lastCopyLine >= 500) {
                lastCopyLine = Date.now();
                context.reporter.line(copyLine(progress));
              }
            }
          },
          onError: fail,
          onComplete: done,
        },
      );
    });
    if (phase !== 'restarting') throw new OperationalError('the migration ended before switching', 1);
    // The agent restarts in place: ask until the one answering runs on the new root.
    const deadline = Date.now() + 60_000;
    for (;;) {
      const root = await context
        .reconnect(5_000)
        .then((agent) => agent.system.info.query())
        .then((info) => info.DockerRootDir)
        .catch(() => null);
      if (root === target) break;
      if (Date.now() > deadline) {
        throw new OperationalError(
          `the agent did not come back on ${target} within a minute (last seen: ${root})`,
          1,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    context.reporter.line(`Docker Root Dir: ${target}`);
    return 0;
  },
};
