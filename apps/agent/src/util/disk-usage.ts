import { execFile } from './exec.js';

/**
 * Bytes used by each path (apparent sizes, like Docker's), through one `du` run so a hardlinked
 * file is counted once. Missing paths count 0.
 */
export async function diskUsage(paths: readonly string[]): Promise<Map<string, number>> {
  const sizes = new Map<string, number>(paths.map((path) => [path, 0]));
  if (paths.length === 0) return sizes;
  const result = await execFile('du', ['-s', '-b', '--', ...paths]);
  for (const line of result.stdout.split('\n')) {
    const tab = line.indexOf('\t');
    if (tab > 0) sizes.set(line.slice(tab + 1), Number(line.slice(0, tab)));
  }
  return sizes;
}
