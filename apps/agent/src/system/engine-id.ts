import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../util/atomic-file.js';

/** A stable identity for this agent's data-root, created on first start (Docker's engine ID). */
export async function loadOrCreateEngineId(file: string): Promise<string> {
  const existing = await readFile(file, 'utf8').catch(() => '');
  if (existing.trim()) return existing.trim();
  const id = randomUUID();
  await writeFileAtomic(file, `${id}\n`, 0o600);
  return id;
}
