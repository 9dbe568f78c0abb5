import type { HostImageRow } from '@stevedore/shared';

/** One line of the images table: an image under one of its names, as `docker images` lists them. */
export interface ImageTableRow {
  key: string;
  image: HostImageRow;
  repository: string;
  tag: string;
  /** The name actions use: repo:tag, or the ID for an image without one. */
  reference: string;
  digest: string | null;
}

/** `127.0.0.1:5000/team/app:1.2` → repository and tag (a port's colon is not a tag's). */
export function splitRepoTag(repoTag: string): { repository: string; tag: string } {
  const at = repoTag.lastIndexOf(':');
  if (at <= repoTag.lastIndexOf('/')) return { repository: repoTag, tag: '<none>' };
  return { repository: repoTag.slice(0, at), tag: repoTag.slice(at + 1) };
}

export function imageTableRows(images: readonly HostImageRow[]): ImageTableRow[] {
  return images.flatMap((image) => {
    const digestOf = (repository: string) =>
      image.repoDigests.find((d) => d.startsWith(`${repository}@`))?.split('@')[1] ??
      image.repoDigests[0]?.split('@')[1] ??
      null;
    if (image.repoTags.length === 0) {
      const repository = image.repoDigests[0]?.split('@')[0] ?? '<none>';
      return [
        {
          key: image.id,
          image,
          repository,
          tag: '<none>',
          reference: image.id,
          digest: digestOf(repository),
        },
      ];
    }
    return image.repoTags.map((repoTag) => {
      const { repository, tag } = splitRepoTag(repoTag);
      return {
        key: `${image.id}|${repoTag}`,
        image,
        repository,
        tag,
        reference: repoTag,
        digest: digestOf(repository),
      };
    });
  });
}

export const shortId = (id: string) => id.replace(/^sha256:/, '').slice(0, 12);
