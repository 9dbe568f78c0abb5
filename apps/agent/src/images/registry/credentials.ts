import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { writeFileAtomic } from '../../util/atomic-file.js';

const CredentialsFileSchema = z.record(z.string(), z.object({ username: z.string(), password: z.string() }));
export type RegistryCredential = { username: string; password: string };

/** Registry logins, per registry host, in a root-only file (like ~/.docker/config.json, 0600). */
export class CredentialStore {
  private cache: Record<string, RegistryCredential> | null = null;

  constructor(private readonly file: string) {}

  async get(domain: string): Promise<RegistryCredential | null> {
    return (await this.load())[domain] ?? null;
  }

  async set(domain: string, credential: RegistryCredential): Promise<void> {
    const all = { ...(await this.load()), [domain]: credential };
    await writeFileAtomic(this.file, JSON.stringify(all), 0o600);
    this.cache = all;
  }

  /** The registries logged in to: their names only, never a credential. */
  async domains(): Promise<string[]> {
    return Object.keys(await this.load()).sort();
  }

  /** Returns whether there was a login to remove. */
  async remove(domain: string): Promise<boolean> {
    const all = { ...(await this.load()) };
    if (!(domain in all)) return false;
    delete all[domain];
    await writeFileAtomic(this.file, JSON.stringify(all), 0o600);
    this.cache = all;
    return true;
  }

  private async load(): Promise<Record<string, RegistryCredential>> {
    if (this.cache) return this.cache;
    const text = await readFile(this.file, 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return '{}';
      throw error;
    });
    this.cache = CredentialsFileSchema.parse(JSON.parse(text));
    return this.cache;
  }
}
