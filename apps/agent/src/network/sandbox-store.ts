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
  ContainerId: z.string().regex(/^[a-f0-9]{64}$/, 'a container id is 64 hex digits'),
  Path: z.string(),
  Interfaces: z.array(SandboxInterfaceSchema),
  Ports: z.array(PublishedPortSchema),
  Rules: z.array(RuleSchema),
  /** `--dns`: where the user network's resolver forwards this container's other queries. */
  Dns: z.array(z.string()).optional(),
});
export type Sandbox = z.infer<typeof SandboxSchema>;

/** Sandbox records under `<exec-root>/netns/`: runtime state, gone with a reboot like the namespaces. */
export class SandboxStore {
  constructor(readonly dir: string) {}

  pathFor(containerId: string): string {
    return join(this.dir, containerId);
  }

  /**
   * Every record, at start-up; what a crash left of a record being written is removed. A record's
   * namespace path is derived from its validated container id, never taken from the file: the
   * path is unmounted and removed on tear-down. A record that cannot be read is reported and skipped.
   */
  async loadAll(onSkipped: (file: string, reason: string) => void): Promise<Sandbox[]> {
    await removeInterruptedWrites(this.dir);
    const names = await readdir(this.dir).catch(() => [] as string[]);
    const sandboxes: Sandbox[] = [];
    for (const name of names.filter((n) => n.endsWith('.json'))) {
      const file = join(this.dir, name);
      const reason = await readFile(file, 'utf8').then(
        (text) => {
          const parsed = SandboxSchema.safeParse(parseJson(text));
          if (!parsed.success) return parsed.error.issues[0]?.message ?? 'not a sandbox record';
          if (name !== `${parsed.data.ContainerId}.json`) return 'the file name is not its container id';
          sandboxes.push({ ...parsed.data, Path: this.pathFor(parsed.data.ContainerId) });
          return null;
        },
        (error: NodeJS.ErrnoException) => error.code ?? String(error),
      );
      if (reason !== null) onSkipped(file, reason);
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

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined; // reported by the schema as "expected object"
  }
}
