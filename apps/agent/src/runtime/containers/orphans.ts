import { lstat, readdir, readlink, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Overlay2Store } from '../../storage/overlay2/layer-store.js';
import type { Logger } from '../../util/logger.js';
import type { Runc } from '../oci/runc.js';
import type { ContainerNetworking } from './container-networking.js';

const CONTAINER_ID = /^[a-f0-9]{64}$/;

export interface OrphanSources {
  runc: Runc;
  networking: ContainerNetworking;
  layers: Overlay2Store;
  execRoot: string;
  log: Logger;
}

/**
 * What the host holds for containers that have no record: a crash between the steps of `create`
 * (address, layer, then record) or of `rm` (layer, runtime, address, then record) leaves such
 * pieces, and nothing else would ever remove them. Runs at start-up, before the API listens, so
 * no create is under way. Returns the IDs it cleaned up after.
 */
export async function removeOrphans(known: ReadonlySet<string>, sources: OrphanSources): Promise<string[]> {
  const { runc, networking, layers, execRoot, log } = sources;
  const orphans = new Set<string>();
  const unknown = (ids: Iterable<string>) => {
    for (const id of ids) if (CONTAINER_ID.test(id) && !known.has(id)) orphans.add(id);
  };
  unknown(await names(runc.root));
  unknown(networking.containersWithState());
  unknown(await containerLayers(layers));
  for (const dir of ['containers', 'exits', 'sockets']) unknown(await names(join(execRoot, dir)));
  const cleaned: string[] = [];
  for (const id of orphans) {
    const step = (what: string, work: Promise<unknown>) =>
      work.catch((error) => log.warn({ err: error, id }, `removing an orphaned ${what} failed`));
    // The container (and so its conmon) first: it holds the mount and the namespace. While its
    // processes may still run, everything they stand on stays.
    const stopped = await runc.deleteBeforeRemoval(id).then(
      ({ leftover }) => {
        if (leftover)
          log.warn({ err: leftover, id }, 'removing an orphaned runc container failed; nothing of it runs');
        return true;
      },
      (error) => {
        log.warn(
          { err: error, id },
          'an orphaned container may still run and is kept; remove it with runc by hand',
        );
        return false;
      },
    );
    if (!stopped) continue;
    await step('network namespace', networking.tearDown(id));
    await step('address', networking.leaveAll(id));
    await step('container layer', layers.removeContainerLayer(id));
    await step('runtime directory', removeRuntimeFiles(execRoot, id));
    cleaned.push(id);
    log.info(
      { id },
      'removed what a container without a record held (an agent crash cut off its create or rm)',
    );
  }
  return cleaned;
}

/** The exec-root entries of one container: bundle, exit file and conmon's socket link. */
export async function removeRuntimeFiles(execRoot: string, id: string): Promise<void> {
  await rm(join(execRoot, 'containers', id), { recursive: true, force: true });
  await rm(join(execRoot, 'exits', id), { force: true });
  await removeSocketLink(execRoot, id);
}

/** conmon links `<exec-root>/sockets/<id>` to the bundle; nothing removes it when the container goes. */
export function removeSocketLink(execRoot: string, id: string): Promise<void> {
  return rm(join(execRoot, 'sockets', id), { force: true });
}

/** `--cleanup`: socket links whose bundle is gone. */
export async function removeDanglingSocketLinks(execRoot: string): Promise<void> {
  const dir = join(execRoot, 'sockets');
  for (const name of await names(dir)) {
    const path = join(dir, name);
    const isLink = (await lstat(path).catch(() => null))?.isSymbolicLink() ?? false;
    if (!isLink) continue;
    const target = await readlink(path).catch(() => null);
    const alive = target !== null && (await stat(path).catch(() => null)) !== null;
    if (!alive) await rm(path, { force: true });
  }
}

/** Container layers in the store: `<id>/merged` (image layers have no mount point). */
async function containerLayers(layers: Overlay2Store): Promise<string[]> {
  const ids = (await names(layers.root)).filter((name) => CONTAINER_ID.test(name));
  const found: string[] = [];
  for (const id of ids) {
    if ((await stat(join(layers.root, id, 'merged')).catch(() => null))?.isDirectory()) found.push(id);
  }
  return found;
}

async function names(dir: string): Promise<string[]> {
  return readdir(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [];
    throw error;
  });
}
