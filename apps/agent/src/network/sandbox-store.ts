import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { PublishedPortSchema } from '@stevedore/shared';
import { z } from 'zod';
import { removeInterruptedWrites, replaceFile } from '../util/atomic-file.js';

export const SandboxInterfaceSchema = z.object({
  NetworkId: z.string(),
  /** The name inside the container (eth0, eth1, ...). */
  Name: z.string(),
  /** The host end of the veth pair, enslaved to the network's bridge. */
  HostName: z.string(),
});
export type SandboxInterface = z.infer<typeof SandboxInterfaceSchema>;

const RuleSchema = z.object({
  table: z.enum(['nat', 'filter']),
  chain: z.string(),
  spec: z.string(),
  top: z.boolean().optional(),
});

/**
 * A running container's network namespace and what was made for it: interfaces, published ports
 * and the iptables rules, so everything can be undone exactly, even by the next agent after a crash.
 */
export const SandboxSchema = z.object({
  ContainerId: z.string(),
  Path: z.string(),
  Interfaces: z.array(SandboxInterfaceSchema),
  Ports: z.array(PublishedPortSchema),
  Rules: z.array(RuleSchema),
});
export type Sandbox = z.infer<typeof SandboxSchema>;

/** Sandbox records under `<exec-root>/netns/`: runtime state, gone with a reboot like the namespaces. */
export class SandboxStore {
  constructor(readonly dir: string) {}

  pathFor(containerId: string): string {
    return join(this.dir, containerId);
  }

  /** Every record, at start-up; what a crash left of a record being written is removed. */
  async loadAll(): Promise<Sandbox[]> {
    await removeInterruptedWrites(this.dir);
    const names = await readdir(this.dir).catch(() => [] as string[]);
    const sandboxes: Sandbox[] = [];
    for (const name of names.filter((n) => n.endsWith('.json'))) {
      const text = await readFile(join(this.dir, name), 'utf8').catch(() => null);
      const parsed = text === null ? null : SandboxSchema.safeParse(JSON.parse(text));
      if (parsed?.success) sandboxes.push(parsed.data);
    }
    return sandboxes;
  }

  save(sandbox: Sandbox): Promise<void> {
    return replaceFile(join(this.dir, `${sandbox.ContainerId}.json`), JSON.stringify(sandbox));
  }

  delete(containerId: string): Promise<void> {
    return rm(join(this.dir, `${containerId}.json`), { force: true });
  }
}
