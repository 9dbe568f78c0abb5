import { StevedoreError } from '@stevedore/shared';
import type { LayerReferences } from '../storage/layer-references.js';
import type { Overlay2Store } from '../storage/overlay2/layer-store.js';
import type { ContentStore } from './content/content-store.js';
import { tryCanonicalTag } from './image-names.js';
import { requireImage } from './image-queries.js';
import type { ImageStore } from './image-store.js';

export interface RemoveImageDeps {
  content: ContentStore;
  layers: Overlay2Store;
  images: ImageStore;
  references: LayerReferences;
  /** Also drops other copies of removed layers (the `--userns-remap` store). */
  layersRemoved: (chainIds: string[]) => Promise<void>;
}

/** Docker's Untagged/Deleted lines: names removed, then the image ID and the layers deleted with it. */
export interface RemoveResult {
  untagged: string[];
  deleted: string[];
}

/**
 * `docker rmi`: removes a tag; when the image has none left (or an ID was given), the image and
 * the layers no other image uses. An image a container uses keeps its layers, with Docker's
 * conflict messages when that stops the removal.
 */
export async function removeImage(
  deps: RemoveImageDeps,
  nameOrId: string,
  force: boolean,
): Promise<RemoveResult> {
  const resolved = await requireImage(deps.images, nameOrId);
  // Under the image's lock a create cannot claim it between the users check and the deletion.
  return deps.references.withImage(resolved.id, () => removeLocked(deps, nameOrId, force));
}

async function removeLocked(deps: RemoveImageDeps, nameOrId: string, force: boolean): Promise<RemoveResult> {
  const image = await requireImage(deps.images, nameOrId);
  const user = deps.references.imageUser(image.id);
  // By one of its names (a tag), or else by ID (`sha256:…` parses as a name too, so ask the image).
  const asName = tryCanonicalTag(nameOrId);
  const byName = asName !== null && image.repoTags.includes(asName);
  const lastName = image.repoTags.length <= 1 || !byName;
  if (user && lastName) {
    const short = image.id.slice(7, 19);
    if (!byName && user.running) {
      // Docker: an image a running container stands on cannot be removed by ID, not even forced.
      throw new StevedoreError(
        'CONFLICT',
        `conflict: unable to delete ${short} (cannot be forced) - image is being used by running container ${user.id.slice(0, 12)}`,
        { image: image.id, container: user.id },
      );
    }
    if (!force) {
      throw new StevedoreError(
        'CONFLICT',
        byName
          ? `conflict: unable to remove repository reference "${nameOrId}" (must force) - container ${user.id.slice(0, 12)} is using its referenced image ${short}`
          : `conflict: unable to delete ${short} (must be forced) - image is being used by stopped container ${user.id.slice(0, 12)}`,
        { image: image.id, container: user.id },
      );
    }
    // Forced while in use: the names go, the image stays (dangling) for the container, as Docker does.
    for (const tag of image.repoTags) await deps.images.removeTag(image.id, tag);
    return { untagged: image.repoTags, deleted: [] };
  }
  const untagged: string[] = [];
  let left = image;
  if (asName && image.repoTags.includes(asName)) {
    left = await deps.images.removeTag(image.id, asName);
    untagged.push(asName);
    if (left.repoTags.length > 0) return { untagged, deleted: [] };
  } else if (image.repoTags.length > 1 && !force) {
    throw new StevedoreError(
      'CONFLICT',
      `unable to delete ${image.id.slice(7, 19)} (must be forced) - image is referenced in multiple repositories`,
    );
  } else {
    untagged.push(...image.repoTags);
  }
  untagged.push(...left.repoDigests);
  await deps.images.delete(image.id);
  await deps.content.delete(image.id);
  const others = await deps.images.list();
  const stillUsed = new Set(others.flatMap((other) => other.chainIds));
  const blobsUsed = new Set(others.flatMap((other) => (other.blobs ?? []).map((blob) => blob.digest)));
  const deleted = [image.id];
  await deps.references.whileNoPinChanges(async () => {
    for (const [index, chainId] of [...image.chainIds.entries()].reverse()) {
      // Everything below a shared or pinned layer is shared too.
      if (stillUsed.has(chainId) || deps.references.isPinned(chainId)) break;
      await deps.layers.removeLayer(chainId);
      const blob = image.blobs?.[index]?.digest;
      if (blob && !blobsUsed.has(blob)) await deps.content.delete(blob);
      deleted.push(chainId);
    }
    await deps.layersRemoved(deleted.slice(1));
  });
  return { untagged, deleted };
}
