import { readdir, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { LayerReferences } from '../storage/layer-references.js';
import type { Overlay2Store } from '../storage/overlay2/layer-store.js';
import { diskUsage } from '../util/disk-usage.js';
import type { Logger } from '../util/logger.js';
import type { ContentStore } from './content/content-store.js';
import type { ImageRecord, ImageStore } from './image-store.js';

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

export interface LeftoverDeps {
  content: ContentStore;
  layers: Overlay2Store;
  images: ImageStore;
  references: LayerReferences;
}

async function currentLeftovers(deps: LeftoverDeps): Promise<Leftovers> {
  return findLeftovers(await deps.images.list(), deps.content, deps.layers, deps.references.pinnedLayers());
}

/** `system df`: what unfinished pulls, loads and commits left. */
export async function leftoverUsage(deps: LeftoverDeps): Promise<{ count: number; size: number }> {
  const leftovers = await currentLeftovers(deps);
  return { count: leftovers.blobs.length + leftovers.layers.length, size: await leftoverBytes(leftovers) };
}

/**
 * Removes what unfinished pulls, loads and commits left (all of it, or only `among`); never
 * while one is under way (a lease is held). Resolves the bytes freed.
 */
export function pruneLeftovers(deps: LeftoverDeps, among?: ReadonlySet<string>): Promise<number> {
  return deps.references.collect(async () => {
    const found = await currentLeftovers(deps);
    const chosen = {
      layers: found.layers.filter((layer) => !among || among.has(layer.chainId)),
      blobs: found.blobs.filter((blob) => !among || among.has(blob.digest)),
    };
    const bytes = await leftoverBytes(chosen);
    for (const layer of chosen.layers) await deps.layers.removeLayer(layer.chainId);
    for (const blob of chosen.blobs) await deps.content.delete(blob.digest);
    return bytes;
  }, 0);
}

/**
 * At start-up: what earlier pulls left is kept for `graceMs` (a pull tried again reuses it),
 * then removed if still unused.
 */
export async function collectLeftoversLater(deps: LeftoverDeps, graceMs: number, log: Logger): Promise<void> {
  const found = await currentLeftovers(deps);
  const ids = new Set([...found.layers.map((l) => l.chainId), ...found.blobs.map((b) => b.digest)]);
  if (ids.size === 0) return;
  log.info(
    { count: ids.size, graceMs },
    'unfinished downloads found; removed after the grace period if unused',
  );
  const collect = () => {
    pruneLeftovers(deps, ids).then(
      (bytes) => {
        if (bytes === 0 && deps.references.busy) setTimeout(collect, graceMs).unref();
        else log.info({ bytes }, 'unfinished downloads removed');
      },
      (error) => log.warn({ err: error }, 'removing unfinished downloads failed'),
    );
  };
  setTimeout(collect, graceMs).unref();
}

async function exists(path: string): Promise<boolean> {
  return (await stat(path).catch(() => null)) !== null;
}
