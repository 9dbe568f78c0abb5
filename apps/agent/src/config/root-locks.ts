import { mkdir } from 'node:fs/promises';
import { lockRoot, type RootLock } from '../util/root-lock.js';
import type { AgentPaths } from './paths.js';

/** Exclusive locks on the data-root and the exec-root, held until released or the process dies. */
export async function lockRoots(paths: AgentPaths, waitSeconds: number): Promise<RootLock[]> {
  await mkdir(paths.dataRoot, { recursive: true, mode: 0o711 });
  await mkdir(paths.execRoot, { recursive: true, mode: 0o700 });
  const data = await lockRoot(paths.dataRoot, 'data-root', waitSeconds);
  try {
    return [data, await lockRoot(paths.execRoot, 'exec-root', waitSeconds)];
  } catch (error) {
    await data.release();
    throw error;
  }
}

/** Runs `work` holding both roots' locks. */
export async function withRootLocks<T>(
  paths: AgentPaths,
  waitSeconds: number,
  work: () => Promise<T>,
): Promise<T> {
  const locks = await lockRoots(paths, waitSeconds);
  try {
    return await work();
  } finally {
    for (const lock of locks) await lock.release();
  }
}
