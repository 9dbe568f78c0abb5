import { StevedoreError, type TopResult } from '@stevedore/shared';
import { execFile } from '../../util/exec.js';
import type { Runc } from '../oci/runc.js';
import type { ContainerStore } from './container-store.js';
import { notRunning } from './service-context.js';

/**
 * `docker top`: the host's `ps` output, reduced to the container's processes, as Docker's daemon
 * makes it: `ps <psArgs> -q<pids>` (or without `-q` when ps refuses it with those options), the
 * header as ps prints it, thread lines (`-` in the PID column, `ps -m`) kept under their process.
 */
export async function containerTop(
  { store, runc }: { store: ContainerStore; runc: Runc },
  ref: string,
  psArgs = '-ef',
): Promise<TopResult> {
  const record = store.get(ref);
  const args = psArgs.trim().split(/\s+/).filter(Boolean);
  checkPsArgs(psArgs, record.Id);
  if (!record.State.Running) throw notRunning(record);
  const pids = await runc.ps(record.Id);
  let result = await execFile('ps', [...args, `-q${pids.join(',')}`]);
  // Some options (f, say) cannot be combined with -q: Docker tries again without it.
  if (result.code !== 0) result = await execFile('ps', args);
  if (result.code !== 0) {
    const reason = result.stderr.split('\n')[0] || `exit status ${result.code}`;
    throw new StevedoreError('INVALID_ARGUMENT', `ps: ${reason}`, { container: record.Id, psArgs });
  }
  return parsePsOutput(result.stdout, new Set(pids), record.Id);
}

/** Docker refuses `-o key=PID…`: a column titled PID would be taken for the pid column. */
function checkPsArgs(psArgs: string, container: string): void {
  for (const match of ` ${psArgs}`.matchAll(/\s+([^\s]*)=\s*(PID[^\s]*)/g)) {
    if (match[1] !== 'pid') {
      throw new StevedoreError('INVALID_ARGUMENT', `specifying "${match[1]}=${match[2]}" is not allowed`, {
        container,
      });
    }
  }
}

/** ps's table reduced to `pids`; pure (unit-tested). */
export function parsePsOutput(output: string, pids: ReadonlySet<number>, container = ''): TopResult {
  const [header = '', ...lines] = output.split('\n');
  const titles = header
    .trim()
    .split(/[ \t]+/)
    .filter(Boolean);
  const pidColumn = titles.indexOf('PID');
  if (pidColumn < 0) {
    throw new StevedoreError('INVALID_ARGUMENT', "Couldn't find PID field in ps output", { container });
  }
  const processes: string[][] = [];
  let lastWasOurs = false;
  for (const line of lines) {
    if (line.trim() === '') continue;
    const fields = line.trim().split(/[ \t]+/);
    // The last column (the command) may contain spaces: keep it whole.
    const row = [...fields.slice(0, titles.length - 1), fields.slice(titles.length - 1).join(' ')];
    const pid = fields[pidColumn] ?? '';
    if (pid === '-') {
      if (lastWasOurs) processes.push(row);
      continue;
    }
    lastWasOurs = pids.has(Number(pid));
    if (lastWasOurs) processes.push(row);
  }
  return { Titles: titles, Processes: processes };
}
