import { readdir, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { DiskUsageRow } from '@stevedore/shared';

/**
 * The Logs row of `system df` (not in Docker's): every container's log file and its rotated
 * generations (`<log>.1`, `<log>.2`, …). A stopped container's logs go when it is removed, so
 * they are the reclaimable part.
 */
export async function containerLogUsage(
  containers: readonly { id: string; running: boolean }[],
  logPath: (id: string) => string,
): Promise<DiskUsageRow> {
  const row: DiskUsageRow = { type: 'Logs', total: 0, active: 0, size: 0, reclaimable: 0 };
  await Promise.all(
    containers.map(async (container) => {
      const path = logPath(container.id);
      const name = basename(path);
      // Removed meanwhile: nothing to count.
      const entries = await readdir(dirname(path)).catch(() => [] as string[]);
      const files = entries.filter(
        (entry) => entry === name || (entry.startsWith(name) && /^\.\d+$/.test(entry.slice(name.length))),
      );
      for (const file of files) {
        const size = await stat(join(dirname(path), file)).then(
          (s) => s.size,
          () => 0,
        );
        row.total += 1;
        row.size += size;
        if (container.running) row.active += 1;
        else row.reclaimable += size;
      }
    }),
  );
  return row;
}
