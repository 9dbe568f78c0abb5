import {
  type ImageConfig,
  type ImageHistoryEntry,
  type ImageInspect,
  type ImageSummary,
  StevedoreError,
} from '@stevedore/shared';
import type { LayerReferences } from '../storage/layer-references.js';
import type { Overlay2Store } from '../storage/overlay2/layer-store.js';
import { diskUsage } from '../util/disk-usage.js';
import { digestsShown, imageFilter, namesShown } from './image-filters.js';
import {
  dockerContainerConfig,
  dockerImageConfig,
  GO_ZERO_TIME,
  imageGraphDriverData,
} from './image-inspect-shape.js';
import { familiarOf, tryCanonicalName } from './image-names.js';
import type { ImageRecord, ImageStore } from './image-store.js';

/** The image a container is created from: its ID, top layer and runtime config. */
export interface ImageForContainer {
  id: string;
  topChainId: string;
  /** Every layer, bottom first. */
  chainIds: string[];
  config: ImageConfig['config'];
}

export const summarize = (image: ImageRecord): ImageSummary => ({
  Id: image.id,
  RepoTags: image.repoTags,
  RepoDigests: image.repoDigests,
  Created: image.config.created ?? image.pulledAt,
  Size: image.size,
});

/** The image a name, ID or ID prefix means; NOT_FOUND when none. */
export async function requireImage(images: ImageStore, nameOrId: string): Promise<ImageRecord> {
  const image = await images.resolve(nameOrId, tryCanonicalName(nameOrId));
  if (!image) throw new StevedoreError('NOT_FOUND', `No such image: ${nameOrId}`, { image: nameOrId });
  return image;
}

/**
 * requireImage as Docker's daemon words a miss where it looks a reference up (`history`, `tag`):
 * the name with the tag it implies, `No such image: nope:latest`.
 */
export async function requireImageReference(images: ImageStore, nameOrId: string): Promise<ImageRecord> {
  const name = tryCanonicalName(nameOrId);
  const image = await images.resolve(nameOrId, name);
  if (!image)
    throw new StevedoreError('NOT_FOUND', `No such image: ${name ? familiarOf(name) : nameOrId}`, {
      image: nameOrId,
    });
  return image;
}

/** The image a new container is made from; a missing one says so in a way `run` pulls it. */
export async function resolveForContainer(images: ImageStore, reference: string): Promise<ImageForContainer> {
  const image = await images.resolve(reference, tryCanonicalName(reference));
  if (!image) {
    const name = tryCanonicalName(reference);
    throw new StevedoreError('NOT_FOUND', `No such image: ${name ? familiarOf(name) : reference}`, {
      image: reference,
      missingImage: true,
    });
  }
  const topChainId = image.chainIds.at(-1);
  if (!topChainId) {
    throw new StevedoreError('FAILED_PRECONDITION', `image ${reference} has no layers to run`, {
      image: reference,
    });
  }
  return { id: image.id, topChainId, chainIds: image.chainIds, config: image.config.config };
}

/** `docker images`, newest first; `filters` as `docker images --filter` (see image-filters.ts). */
export async function listImages(images: ImageStore, filters: readonly string[]): Promise<ImageSummary[]> {
  const passes = await imageFilter(filters, (reference) => requireImage(images, reference));
  return (await images.list())
    .filter(passes)
    .map(summarize)
    .map((summary) => {
      const RepoTags = namesShown(filters, summary.RepoTags);
      return { ...summary, RepoTags, RepoDigests: digestsShown(filters, summary.RepoDigests, RepoTags) };
    })
    .sort((a, b) => b.Created.localeCompare(a.Created));
}

/** `docker image inspect`; `diffDir` places a layer (by chain ID) on disk for GraphDriver. */
export function inspectImage(image: ImageRecord, diffDir: (chainId: string) => string): ImageInspect {
  const { config } = image;
  return {
    Id: image.id,
    RepoTags: image.repoTags,
    RepoDigests: image.repoDigests,
    // Pulled and loaded images have no parent in the local store, as in Docker.
    Parent: '',
    Comment: config.comment ?? '',
    Created: config.created ?? image.pulledAt,
    Container: config.container ?? '',
    ContainerConfig: dockerContainerConfig(config.container_config),
    DockerVersion: config.docker_version ?? '',
    Author: config.author ?? '',
    Config: dockerImageConfig(config.config ?? undefined),
    Architecture: config.architecture,
    Os: config.os,
    Size: image.size,
    VirtualSize: image.size,
    GraphDriver: { Name: 'overlay2', Data: imageGraphDriverData(image.chainIds.map(diffDir)) },
    RootFS: { Type: 'layers', Layers: config.rootfs.diff_ids },
    // Stevedore does not record when a name was last tagged here: Go's zero time, as Docker's unknown.
    Metadata: { LastTagTime: GO_ZERO_TIME },
  };
}

/** `docker history`: the config's history, newest first, with each layer's size on disk. */
export async function imageHistory(image: ImageRecord, layers: Overlay2Store): Promise<ImageHistoryEntry[]> {
  const sizes = await diskUsage(image.chainIds.map((chainId) => layers.diffDir(chainId)));
  const layerSize = (index: number) => sizes.get(layers.diffDir(image.chainIds[index] ?? '')) ?? 0;
  const history = image.config.history?.length
    ? image.config.history
    : image.chainIds.map(() => ({
        created: image.config.created,
        created_by: '',
        comment: '',
        empty_layer: false,
      }));
  let layer = 0;
  const rows = history.map((entry) => ({
    Id: '<missing>',
    Created: Math.floor(Date.parse(entry.created ?? image.config.created ?? image.pulledAt) / 1000) || 0,
    CreatedBy: entry.created_by ?? '',
    Tags: [] as string[],
    Size: entry.empty_layer ? 0 : layerSize(layer++),
    Comment: entry.comment ?? '',
  }));
  rows.reverse();
  if (rows[0]) Object.assign(rows[0], { Id: image.id, Tags: image.repoTags });
  return rows;
}

/** Every image with its layer directories and whether a container uses it, for `system df`. */
export async function imageUsage(
  images: ImageStore,
  layers: Overlay2Store,
  references: LayerReferences,
): Promise<
  { id: string; size: number; inUse: boolean; layers: string[]; repoTags: string[]; created: string }[]
> {
  return (await images.list()).map((image) => ({
    id: image.id,
    size: image.size,
    inUse: references.imageUser(image.id) !== null,
    layers: image.chainIds.map((chainId) => layers.diffDir(chainId)),
    repoTags: image.repoTags,
    created: image.config.created ?? image.pulledAt,
  }));
}
