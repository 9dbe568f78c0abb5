import { readdir, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Overlay2Store } from '../storage/overlay2/layer-store.js';
import { diskUsage } from '../util/disk-usage.js';
import type { ContentStore } from './content/content-store.js';
import type { ImageRecord } from './image-store.js';

const HEX64 = /^[a-f0-9]{64}$/;

/**
 * What a pull, load or commit that did not finish (killed, out of space, a registry error) left
 * in the stores: verified blobs and complete layers that no image refers to. The next pull of the
 * same image reuses them; otherwise only a prune or the start-up collection frees them.
 */
export interface Leftovers {
  /** Blob digests. */
  blobs: { digest: string; path: string; size: number }[];
  /** Layer chain IDs with their directory. */
  layers: { chainId: string; dir: string }[];
}

export async function findLeftovers(
  images: readonly ImageRecord[],
  content: ContentStore,
  layers: Overlay2Store,
  pinned: ReadonlySet<string>,
): Promise<Leftovers> {
  const usedLayerDirs = new Set(
    [...images.flatMap((image) => image.chainIds), ...pinned].map((chainId) =>
      dirname(layers.diffDir(chainId)),
    ),
  );
  const found: Leftovers = { blobs: [], layers: [] };
  for (const name of await readdir(layers.root).catch(() => [] as string[])) {
    const dir = join(layers.root, name);
    if (!HEX64.test(name) || usedLayerDirs.has(dir)) continue;
    // A container's layer has a mount point; image layers never do.
    if (await exists(join(dir, 'merged'))) continue;
    found.layers.push({ chainId: `sha256:${name}`, dir });
  }
  // An image recorded before blobs were kept names none of its layer blobs: none can be judged.
  if (images.some((image) => image.blobs === undefined)) return found;
  const usedBlobs = new Set(
    images.flatMap((image) => [image.id, ...(image.blobs ?? []).map((b) => b.digest)]),
  );
  for (const blob of await content.list()) {
    if (!usedBlobs.has(blob.digest)) found.blobs.push({ ...blob, path: content.pathOf(blob.digest) });
  }
  return found;
}

/** Bytes the leftovers hold on disk. */
export async function leftoverBytes(leftovers: Leftovers): Promise<number> {
  const dirs = leftovers.layers.map((layer) => layer.dir);
  const sizes = await diskUsage(dirs);
  return (
    dirs.reduce((sum, dir) => sum + (sizes.get(dir) ?? 0), 0) +
    leftovers.blobs.reduce((sum, blob) => sum + blob.size, 0)
  );
}

async function exists(path: string): Promise<boolean> {
  return (await stat(path).catch(() => null)) !== null;
}
