import { readFileSync } from 'node:fs';
import { StevedoreError, type TopResult } from '@stevedore/shared';
import { execFile } from '../../util/exec.js';
import type { Runc } from '../oci/runc.js';
import type { ContainerStore } from './container-store.js';
import { notRunning } from './service-context.js';

/**
 * `docker top`: the host's `ps` output, reduced to the container's processes, with a CPID
 * column after PID giving each process's pid inside the container.
 */
export async function containerTop(
  { store, runc }: { store: ContainerStore; runc: Runc },
  ref: string,
  psArgs = '-ef',
): Promise<TopResult> {
  const record = store.get(ref);
  if (!record.State.Running) throw notRunning(record);
  const pids = new Set((await runc.ps(record.Id)).map(String));
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

/** /proc/<pid>/status, or nothing when the process ended since `ps` listed it. */
const readStatus = (pid: string) => {
  try {
    return readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return '';
  }
};
