import { lstatSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { StevedoreError } from '@stevedore/shared/errors';

export const refusedEntry = (entry: string, why: string) =>
  new StevedoreError('INVALID_ARGUMENT', `layer entry "${entry}" refused: ${why}`, { entry });

/**
 * A tar entry name as path components inside the layer. Leading `/` and `./` are dropped (Docker
 * treats names as relative to the layer root); `..` components are refused outright.
 */
export function entryComponents(name: string): string[] {
  const components = name.split('/').filter((part) => part !== '' && part !== '.');
  if (components.some((part) => part === '..')) throw refusedEntry(name, 'its path contains ".."');
  if (name.includes('\0')) throw refusedEntry(name, 'its path contains a NUL byte');
  return components;
}

/**
 * (Synchronous: it runs in the extraction worker, where each call is a plain syscall.)
 * The directory that will hold an entry, created as needed. Every existing component is checked
 * with lstat and must be a real directory: a symlink there (absolute or relative) could point out
 * of the layer, so it is refused rather than followed. Checking the resolved filesystem objects,
 * not the name string, is what keeps extraction inside `root`.
 */
export function confinedParent(
  root: string,
  components: string[],
  entry: string,
  /** Directories this extraction already checked or made; they are not looked at again. */
  known: Set<string> = new Set(),
): string {
  let current = root;
  for (const part of components.slice(0, -1)) {
    current = join(current, part);
    if (known.has(current)) continue;
    const stats = lstatSync(current, { throwIfNoEntry: false });
    if (stats === undefined) {
      mkdirSync(current, { mode: 0o755 });
    } else if (stats.isSymbolicLink()) {
      throw refusedEntry(entry, `its parent "${part}" is a symlink inside the layer (it could lead outside)`);
    } else if (!stats.isDirectory()) {
      throw refusedEntry(entry, `its parent "${part}" is not a directory`);
    }
    known.add(current);
  }
  return current;
}
