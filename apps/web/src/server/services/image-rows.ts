import type {
  ContainerSummary,
  HostImageRow,
  ImagePrunePreview,
  ImageSummary,
  ImageUser,
} from '@stevedore/shared';

/** The containers (any state) made from each image, by image ID. */
export function usersByImage(containers: readonly ContainerSummary[]): Map<string, ImageUser[]> {
  const users = new Map<string, ImageUser[]>();
  for (const container of containers) {
    const list = users.get(container.ImageID) ?? [];
    list.push({
      id: container.Id,
      name: container.Names[0]?.replace(/^\//, '') ?? container.Id.slice(0, 12),
      state: container.State,
    });
    users.set(container.ImageID, list);
  }
  return users;
}

/** One host's images with the containers using each, newest first as the engine lists them. */
export function hostImageRows(
  images: readonly ImageSummary[],
  containers: readonly ContainerSummary[],
): HostImageRow[] {
  const users = usersByImage(containers);
  return images.map((image) => ({
    id: image.Id,
    repoTags: image.RepoTags,
    repoDigests: image.RepoDigests,
    created: image.Created,
    size: image.Size,
    usedBy: users.get(image.Id) ?? [],
  }));
}

/**
 * What `docker image prune` would remove: images no container uses that have no tag (or any, with
 * `all`). The bytes are an upper bound: layers two of them share count once per image here.
 */
export function prunePreview(rows: readonly HostImageRow[], all: boolean): ImagePrunePreview {
  const images = rows
    .filter((row) => (all || row.repoTags.length === 0) && row.usedBy.length === 0)
    .map((row) => ({ id: row.id, repoTags: row.repoTags, size: row.size }));
  return { images, bytes: images.reduce((sum, image) => sum + image.size, 0) };
}
