import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { StevedoreError } from '@stevedore/shared';
import { DEFAULT_CPU_WEIGHT } from './cgroup-limits.js';
import type { LimitValues } from './configured-limits.js';

export interface CgroupWrite {
  file: string;
  value: string;
}

/**
 * What runc update cannot put back to "unset" on cgroup v2: it skips a zero reservation or
 * weight instead of writing the kernel's default (and would turn a reservation of -1 into
 * memory.low "max", full protection). The agent writes these files itself after runc.
 */
export function v2Resets(configured: LimitValues): CgroupWrite[] {
  const writes: CgroupWrite[] = [];
  if (configured.MemoryReservation === null) writes.push({ file: 'memory.low', value: '0' });
  if (configured.CpuShares === null) writes.push({ file: 'cpu.weight', value: String(DEFAULT_CPU_WEIGHT) });
  return writes;
}

/** Writes each file of the container's v2 cgroup `dir`; a missing file names the controller that is not enabled. */
export async function writeCgroupFiles(dir: string, writes: readonly CgroupWrite[]): Promise<void> {
  for (const { file, value } of writes) {
    try {
      await writeFile(join(dir, file), value);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const controller = file.split('.')[0];
      const why =
        code === 'ENOENT' || code === 'EACCES'
          ? `the ${controller} controller is not enabled for ${dir}`
          : (error as Error).message;
      throw new StevedoreError('INTERNAL', `cannot write ${JSON.stringify(value)} to ${file}: ${why}`, {
        file: join(dir, file),
      });
    }
  }
}
