import { spawn } from 'node:child_process';
import { StevedoreError } from '@stevedore/shared';
import { INCOMPLETE_MARKER, JOURNAL_FILE } from './journal.js';
import { LAST_OUTCOME_FILE } from './last-outcome.js';

/**
 * rsync, the tool made for the job: `-aHAX --numeric-ids` keeps owners (as numbers, so a user
 * namespace's ids survive), modes (setuid, sticky), mtimes, hardlinks, ACLs, xattrs (overlay's
 * opaque marks) and device nodes (overlay's whiteouts). The journal, marker and last outcome never travel.
 */
const ARGS = [
  '-aHAX',
  '--numeric-ids',
  `--exclude=/${JOURNAL_FILE}`,
  `--exclude=/${INCOMPLETE_MARKER}`,
  `--exclude=/${LAST_OUTCOME_FILE}`,
];

export interface CopyProgress {
  bytes: number;
  files: number;
}

/** Copies `source` into `target`, reporting bytes and files; aborting kills rsync. */
export function copyTree(
  source: string,
  target: string,
  onProgress: (progress: CopyProgress) => void,
  signal: AbortSignal,
): Promise<void> {
  // Test hook: a slow copy, so cancelling mid-copy can be tested on a small root.
  const limit = process.env.STEVEDORE_TEST_RSYNC_BWLIMIT;
  return run(
    [
      ...ARGS,
      '--info=progress2',
      '--no-inc-recursive',
      ...(limit ? [`--bwlimit=${limit}`] : []),
      `${source}/`,
      `${target}/`,
    ],
    signal,
    (line) => {
      // "  1,234,567  45%   10.00MB/s    0:00:01 (xfr#12, to-chk=3/20)"
      const match = /^\s*([\d,]+)\s+\d+%(?:.*xfr#(\d+))?/.exec(line);
      if (match) {
        onProgress({ bytes: Number(match[1]?.replaceAll(',', '')), files: Number(match[2] ?? 0) });
      }
    },
    // The agent itself may replace a file (an atomic write's temporary) while rsync walks the tree;
    // what counts is the verification pass after the copy, which compares everything.
    [0, VANISHED],
  ).then(() => {});
}

/**
 * What differs between the trees, by content (checksums), metadata and presence: empty when the
 * copy is exact. One line per difference, in rsync's itemized form.
 */
export async function differences(source: string, target: string, signal: AbortSignal): Promise<string[]> {
  const output = await run(
    [...ARGS, '--dry-run', '--checksum', '--delete', '--itemize-changes', `${source}/`, `${target}/`],
    signal,
  );
  return output
    .split('\n')
    .filter((line) => line.trim() !== '')
    .filter((line) => !/^\.d\.\.t\.+ /.test(line));
}

/** rsync's "some files vanished before they could be transferred". */
const VANISHED = 24;

function run(
  args: string[],
  signal: AbortSignal,
  onLine?: (line: string) => void,
  acceptedCodes: readonly number[] = [0],
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('rsync', args, { stdio: ['ignore', 'pipe', 'pipe'], signal });
    let output = '';
    let stderr = '';
    let partial = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      output += onLine ? '' : chunk;
      if (!onLine) return;
      // progress2 rewrites one line with carriage returns.
      const lines = (partial + chunk).split(/[\r\n]/);
      partial = lines.pop() ?? '';
      for (const line of lines) onLine(line);
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.on('error', (error) => {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        reject(new StevedoreError('FAILED_PRECONDITION', 'rsync is not installed (Debian package "rsync")'));
      } else reject(error);
    });
    child.on('close', (code) => {
      if (signal.aborted) reject(new StevedoreError('CONFLICT', 'the migration was cancelled'));
      else if (!acceptedCodes.includes(code ?? -1)) {
        reject(
          new StevedoreError('INTERNAL', `rsync failed (exit code ${code}): ${stderr.trim()}`, { args }),
        );
      } else resolve(output);
    });
  });
}
