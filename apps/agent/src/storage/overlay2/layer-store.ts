import { createHash, randomBytes } from 'node:crypto';
import { lstat, mkdir, readdir, readFile, rename, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { StevedoreError } from '@stevedore/shared';
import { execFile } from '../../util/exec.js';

const SHA256 = /^sha256:([a-f0-9]{64})$/;
const SHORT_ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** Docker's chain ID: a layer's identity together with everything below it. */
export function chainIdOf(parentChainId: string | null, diffId: string): string {
  if (parentChainId === null) return diffId;
  return `sha256:${createHash('sha256').update(`${parentChainId} ${diffId}`).digest('hex')}`;
}

const idOf = (chainId: string) => {
  const hex = SHA256.exec(chainId)?.[1];
  if (!hex)
    throw new StevedoreError('INVALID_ARGUMENT', `"${chainId}" is not a sha256 chain id`, { chainId });
  return hex;
};

/**
 * Layers in Docker's overlay2 layout: `<root>/<id>/{diff,link,lower,work}` and short `l/<link>`
 * symlinks to each diff, so the lowerdir list of a deep image still fits in one page of mount
 * options. A layer directory appears only complete (built under a temp name, then renamed).
 */
export class Overlay2Store {
  private readonly building = new Map<string, Promise<void>>();

  constructor(readonly root: string) {}

  /** Creates the layout and removes what a crash left half-built. */
  async init(): Promise<void> {
    await mkdir(join(this.root, 'l'), { recursive: true, mode: 0o700 });
    for (const name of await readdir(this.root)) {
      if (name.startsWith('.tmp-')) await rm(join(this.root, name), { recursive: true, force: true });
    }
  }

  async has(chainId: string): Promise<boolean> {
    return (await lstat(join(this.root, idOf(chainId))).catch(() => null)) !== null;
  }

  /** The layer's size as recorded when it was made, or null when it was not. */
  async layerSize(chainId: string): Promise<number | null> {
    const text = await readFile(join(this.root, idOf(chainId), 'size'), 'utf8').catch(() => null);
    const size = text === null ? Number.NaN : Number.parseInt(text, 10);
    return Number.isSafeInteger(size) && size >= 0 ? size : null;
  }

  /** An image's size: the sum of its layers' recorded sizes, or null when one is not known. */
  async imageSize(chainIds: readonly string[]): Promise<number | null> {
    const sizes = await Promise.all(chainIds.map((chainId) => this.layerSize(chainId)));
    return sizes.every((size) => size !== null) ? sizes.reduce((sum, size) => sum + size, 0) : null;
  }

  diffDir(chainId: string): string {
    return join(this.root, idOf(chainId), 'diff');
  }

  /**
   * Builds the layer `chainId` on top of `parentChainId` once, even when several pulls ask at the
   * same time; `fill` writes the layer's content into the diff directory it is given and may
   * return the layer's size (its uncompressed tar bytes), kept in `<id>/size` like Docker's layerdb.
   */
  async createLayer(
    chainId: string,
    parentChainId: string | null,
    fill: (diffDir: string) => Promise<unknown>,
    /** Lets layers of one image extract in parallel: only the final link-up waits for the parent. */
    parentReady: Promise<unknown> = Promise.resolve(),
  ): Promise<void> {
    const id = idOf(chainId);
    const inFlight = this.building.get(id);
    if (inFlight) return inFlight;
    const work = (async () => {
      if (await this.has(chainId)) return;
      const temp = join(this.root, `.tmp-${id}-${randomBytes(4).toString('hex')}`);
      try {
        await mkdir(join(temp, 'diff'), { recursive: true, mode: 0o755 });
        const size = await fill(join(temp, 'diff'));
        if (typeof size === 'number') await writeFile(join(temp, 'size'), String(size));
        await parentReady;
        await this.writeLinkFiles(temp, parentChainId);
        await rename(temp, join(this.root, id));
      } catch (error) {
        await rm(temp, { recursive: true, force: true });
        throw error;
      }
      await this.linkShortName(id);
    })();
    this.building.set(id, work);
    try {
      await work;
    } finally {
      this.building.delete(id);
    }
  }

  /** A container's writable layer on top of an image's top layer (not mounted yet). */
  async createContainerLayer(containerId: string, imageChainId: string): Promise<void> {
    const dir = this.containerDir(containerId);
    await mkdir(join(dir, 'diff'), { recursive: true, mode: 0o755 });
    await mkdir(join(dir, 'work'), { recursive: true, mode: 0o700 });
    await mkdir(join(dir, 'merged'), { recursive: true, mode: 0o700 });
    await this.writeLinkFiles(dir, imageChainId);
    await this.linkShortName(containerId);
  }

  /** Mounts the container's layer at `<root>/<id>/merged` (no-op when mounted) and returns that path. */
  async mountContainerLayer(containerId: string): Promise<string> {
    const dir = this.containerDir(containerId);
    const merged = join(dir, 'merged');
    if (await isMountPoint(merged)) return merged;
    const lower = (await readFile(join(dir, 'lower'), 'utf8')).trim();
    const options = `lowerdir=${lower},upperdir=${containerId}/diff,workdir=${containerId}/work`;
    // Relative paths from the store root keep the option string short (Docker does the same).
    await execFile('mount', ['-t', 'overlay', 'overlay', '-o', options, join(containerId, 'merged')], {
      cwd: this.root,
      check: true,
    });
    return merged;
  }

  mergedDir(containerId: string): string {
    return join(this.containerDir(containerId), 'merged');
  }

  upperDir(containerId: string): string {
    return join(this.containerDir(containerId), 'diff');
  }

  /** Lower directories, top first, as absolute paths (for inspect's GraphDriver). */
  async lowerDirs(containerId: string): Promise<string[]> {
    const lower = await readFile(join(this.containerDir(containerId), 'lower'), 'utf8').catch(() => '');
    return lower
      .trim()
      .split(':')
      .filter(Boolean)
      .map((short) => join(this.root, short));
  }

  isContainerLayerMounted(containerId: string): Promise<boolean> {
    return isMountPoint(this.mergedDir(containerId));
  }

  async unmountContainerLayer(containerId: string): Promise<void> {
    const merged = this.mergedDir(containerId);
    if (!(await isMountPoint(merged))) return;
    await execFile('umount', [merged], { check: true });
  }

  async removeContainerLayer(containerId: string): Promise<void> {
    await this.unmountContainerLayer(containerId);
    await this.removeDir(containerId);
  }

  async removeLayer(chainId: string): Promise<void> {
    await this.removeDir(idOf(chainId));
  }

  private async removeDir(id: string): Promise<void> {
    const dir = join(this.root, id);
    const short = await readFile(join(dir, 'link'), 'utf8').catch(() => null);
    if (short) await rm(join(this.root, 'l', short.trim()), { force: true });
    // A container's upper dir is the container's to shape: a process still running (or a symlink
    // swapped in mid-walk) must not lead a path-based walk out of the tree, and a mount left below
    // must not be crossed. GNU rm walks by file descriptor and, with --one-file-system, refuses
    // (fails) rather than descend into another filesystem; Node's recursive rm does neither.
    await execFile('rm', ['-rf', '--one-file-system', '--', dir], { check: true });
  }

  private containerDir(containerId: string): string {
    if (!/^[a-f0-9]{64}$/.test(containerId)) {
      throw new StevedoreError('INVALID_ARGUMENT', `"${containerId}" is not a container id`, { containerId });
    }
    return join(this.root, containerId);
  }

  /** `link`: this layer's short name; `lower`: the short names of every layer below, top first. */
  private async writeLinkFiles(dir: string, parentChainId: string | null): Promise<void> {
    await writeFile(join(dir, 'link'), shortId());
    if (parentChainId === null) return;
    const parent = join(this.root, idOf(parentChainId));
    const parentShort = (await readFile(join(parent, 'link'), 'utf8')).trim();
    const parentLower = await readFile(join(parent, 'lower'), 'utf8').catch(() => '');
    await writeFile(join(dir, 'lower'), [`l/${parentShort}`, parentLower.trim()].filter(Boolean).join(':'));
  }

  private async linkShortName(id: string): Promise<void> {
    const short = (await readFile(join(this.root, id, 'link'), 'utf8')).trim();
    await symlink(join('..', id, 'diff'), join(this.root, 'l', short)).catch(
      (error: NodeJS.ErrnoException) => {
        if (error.code !== 'EEXIST') throw error;
      },
    );
  }
}

function shortId(): string {
  const bytes = randomBytes(26);
  return Array.from(bytes, (byte) => SHORT_ID_ALPHABET[byte % 32]).join('');
}

/** Whether `path` is a mount point: its device differs from its parent's (overlay gets its own). */
export async function isMountPoint(path: string): Promise<boolean> {
  const [self, parent] = await Promise.all([
    stat(path).catch(() => null),
    stat(join(path, '..')).catch(() => null),
  ]);
  return self !== null && parent !== null && (self.dev !== parent.dev || self.ino === parent.ino);
}
