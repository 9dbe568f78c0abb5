import { readdir } from 'node:fs/promises';
import type { AgentPaths } from '../config/paths.js';

export interface ContainerCounts {
  total: number;
  running: number;
  paused: number;
  stopped: number;
}

/** Entries of a store directory, ignoring dot-files such as in-flight atomic writes. */
async function storeEntries(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  return entries.filter((e) => !e.name.startsWith('.')).map((e) => e.name);
}

export async function countImages(paths: AgentPaths): Promise<number> {
  return (await storeEntries(paths.images)).length;
}
