import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { execFile } from '../util/exec.js';

export const KNOWN_RUNTIMES = ['runc', 'crun'] as const;
export type RuntimeName = (typeof KNOWN_RUNTIMES)[number];

export interface RuntimeBinary {
  path: string;
  version: string;
}

// Root's sbin directories hold runc on Debian but are missing from PATH in some service managers.
const EXTRA_DIRS = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

export async function findExecutable(name: string, pathEnv = process.env.PATH ?? ''): Promise<string | null> {
  const dirs = [...new Set([...pathEnv.split(delimiter).filter(Boolean), ...EXTRA_DIRS])];
  for (const dir of dirs) {
    const candidate = join(dir, name);
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not here, or not executable: the next directory may have it.
    }
  }
  return null;
}

/** `runc --version` / `crun --version` print "<name> version X" on their first line. */
export function parseRuntimeVersion(output: string): string | null {
  const match = /^\S+ version (\S+)/m.exec(output);
  return match ? (match[1] as string) : null;
}

/** The OCI runtimes installed on this host, with their versions. */
export async function detectRuntimes(): Promise<Partial<Record<RuntimeName, RuntimeBinary>>> {
  const found: Partial<Record<RuntimeName, RuntimeBinary>> = {};
  for (const name of KNOWN_RUNTIMES) {
    const path = await findExecutable(name);
    if (!path) continue;
    const result = await execFile(path, ['--version'], { timeoutMs: 10_000 });
    const version = result.code === 0 ? parseRuntimeVersion(result.stdout) : null;
    if (version) found[name] = { path, version };
  }
  return found;
}
