import {
  familiarImageName,
  humanSize,
  type ImageSummary,
  parseImageReference,
  timeAgo,
} from '@stevedore/shared';

export interface ImageRow {
  Repository: string;
  Tag: string;
  Digest: string;
  ID: string;
  CreatedSince: string;
  CreatedAt: string;
  Size: string;
  VirtualSize: string;
  /** What a listing does not count, as Docker's: `N/A`. */
  Containers: string;
  SharedSize: string;
  UniqueSize: string;
}

export interface ImageRowOptions {
  noTrunc: boolean;
  /** `--digests`: each digest of a repository gets its row, also without a tag. */
  digests: boolean;
  /** The digest is shown (`--digests`, or a format with `{{.Digest}}`): a tag's row per digest. */
  digestShown: boolean;
}

/** `127.0.0.1:5000/app:v1` → `{ repository, tag }`, the repository as Docker prints it. */
function split(reference: string): { repository: string; tag: string | null; digest: string | null } {
  const ref = parseImageReference(reference);
  return {
    repository: familiarImageName({ ...ref, tag: null, digest: null }),
    tag: ref.tag,
    digest: ref.digest,
  };
}

/**
 * An image's rows in `docker images`, as Docker makes them: one per tag (with the digest shown, one
 * per tag and digest of its repository, `<none>` if it has none); a repository known only by digest
 * gets one row tagged `<none>` (with --digests one per digest); an image with no names `<none> <none>`.
 */
export function imageRows(image: ImageSummary, options: ImageRowOptions): ImageRow[] {
  const tagsByRepository = new Map<string, string[]>();
  for (const reference of image.RepoTags) {
    const { repository, tag } = split(reference);
    tagsByRepository.set(repository, [...(tagsByRepository.get(repository) ?? []), tag ?? '<none>']);
  }
  const digestsByRepository = new Map<string, string[]>();
  for (const reference of image.RepoDigests) {
    const { repository, digest } = split(reference);
    if (digest) digestsByRepository.set(repository, [...(digestsByRepository.get(repository) ?? []), digest]);
  }
  const created = new Date(image.Created);
  const base = {
    ID: options.noTrunc ? image.Id : image.Id.replace(/^sha256:/, '').slice(0, 12),
    CreatedSince: timeAgo(image.Created),
    CreatedAt: Number.isNaN(created.getTime())
      ? ''
      : created
          .toISOString()
          .replace('T', ' ')
          .replace(/\.\d+Z$/, ' +0000 UTC'),
    Size: humanSize(image.Size),
    VirtualSize: humanSize(image.Size),
    Containers: 'N/A',
    SharedSize: 'N/A',
    UniqueSize: 'N/A',
  };
  const row = (Repository: string, Tag: string, Digest: string): ImageRow => ({
    ...base,
    Repository,
    Tag,
    Digest,
  });

  const rows: ImageRow[] = [];
  for (const [repository, tags] of tagsByRepository) {
    const digests = digestsByRepository.get(repository) ?? [];
    digestsByRepository.delete(repository);
    for (const tag of tags) {
      if (!options.digestShown || digests.length === 0) rows.push(row(repository, tag, '<none>'));
      else for (const digest of digests) rows.push(row(repository, tag, digest));
    }
  }
  for (const [repository, digests] of digestsByRepository) {
    if (options.digests) for (const digest of digests) rows.push(row(repository, '<none>', digest));
    else rows.push(row(repository, '<none>', ''));
  }
  return rows.length > 0 ? rows : [row('<none>', '<none>', '<none>')];
}
