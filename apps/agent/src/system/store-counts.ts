import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
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

/** Counts `containers/<id>/`, classifying each by the `Status` in its `state.json`. */
export async function countContainers(paths: AgentPaths): Promise<ContainerCounts> {
  const ids = await storeEntries(paths.containers);
  const counts: ContainerCounts = { total: ids.length, running: 0, paused: 0, stopped: 0 };
  for (const id of ids) {
    const status = await readFile(join(paths.containers, id, 'state.json'), 'utf8')
      .then((text) => (JSON.parse(text) as { Status?: unknown }).Status)
      .catch(() => undefined);
    if (status === 'running') counts.running++;
    else if (status === 'paused') counts.paused++;
    else counts.stopped++;
  }
  return counts;
}

export async function countImages(paths: AgentPaths): Promise<number> {
  return (await storeEntries(paths.images)).length;
}
