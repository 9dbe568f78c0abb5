import { chmod, chown } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { IdMap } from '../../storage/id-map.js';
import type { Overlay2Store } from '../../storage/overlay2/layer-store.js';
import { execFile } from '../../util/exec.js';
import { shiftOwnership } from './resolve-id-map.js';

/**
 * Image layers as a user-namespaced container must see them, the way dockerd keeps a separate
 * `<uid>.<gid>/` store under its data-root for `--userns-remap`: each layer copied once from the
 * main store with every owner moved into the mapped range, so root's files belong to the
 * container's root.
 */
export class RemappedLayers {
  constructor(
    private readonly source: Overlay2Store,
    readonly target: Overlay2Store,
    readonly map: IdMap,
  ) {}

  async init(): Promise<void> {
    await this.target.init();
    // The mapped root must be able to reach the container roots below (search only, no listing).
    await chmod(this.target.root, 0o711);
    await chmod(dirname(this.target.root), 0o711);
  }

  /** Makes sure every layer of an image (bottom first) exists in the remapped store. */
  async prepare(chainIds: readonly string[]): Promise<void> {
    let parent: string | null = null;
    for (const chainId of chainIds) {
      const from = this.source.diffDir(chainId);
      await this.target.createLayer(chainId, parent, async (diffDir) => {
        await execFile('cp', ['-a', '--', `${from}/.`, `${diffDir}/`], { check: true });
        await shiftOwnership(diffDir, this.map);
      });
      parent = chainId;
    }
  }

  /** Drops the remapped copies of layers the image store removed. */
  async removeLayers(chainIds: readonly string[]): Promise<void> {
    for (const chainId of chainIds) await this.target.removeLayer(chainId);
  }

  /** The container's own directories belong to its mapped root. */
  async adoptContainerLayer(containerId: string): Promise<void> {
    const merged = this.target.mergedDir(containerId);
    for (const dir of [this.target.upperDir(containerId), join(merged, '..', 'work'), merged]) {
      await chown(dir, this.map.uid.start, this.map.gid.start);
    }
  }
}
