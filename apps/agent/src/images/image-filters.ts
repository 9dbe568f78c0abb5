import {
  booleanFilter,
  familiarImageName,
  globMatches,
  groupFilters,
  labelMatches,
  matchesFilters,
  parseImageReference,
} from '@stevedore/shared';
import type { ImageRecord } from './image-store.js';

const created = (image: ImageRecord) => Date.parse(image.config.created ?? image.pulledAt);

/**
 * `docker images --filter`: dangling=true|false, label=KEY[=VALUE], reference=PATTERN (on the
 * familiar name, with or without its tag), before=IMAGE and since=IMAGE (older or newer than it).
 * Resolves to the test an image must pass; an unknown image or bad value is INVALID_ARGUMENT.
 */
export async function imageFilter(
  filters: readonly string[],
  resolve: (reference: string) => Promise<ImageRecord>,
): Promise<(image: ImageRecord) => boolean> {
  const grouped = groupFilters(filters);
  const bounds = new Map<string, number>();
  for (const key of ['before', 'since']) {
    for (const reference of grouped.get(key) ?? [])
      bounds.set(`${key}=${reference}`, created(await resolve(reference)));
  }
  return (image) =>
    matchesFilters(grouped, (key, value) => {
      switch (key) {
        case 'dangling':
          return booleanFilter(key, value) === (image.repoTags.length === 0);
        case 'label':
          return labelMatches(image.config.config?.Labels ?? {}, value);
        case 'reference':
          return image.repoTags.some((tag) => referenceMatches(value, tag));
        case 'before':
          return created(image) < bounds.get(`before=${value}`)!;
        case 'since':
          return created(image) > bounds.get(`since=${value}`)!;
        default:
          return true;
      }
    });
}

/**
 * Docker's reference match: the pattern against the familiar name with its tag or digest
 * (`busybox:latest`), else against the bare repository (`busybox`).
 */
export function referenceMatches(pattern: string, reference: string): boolean {
  const ref = parseImageReference(reference);
  return (
    globMatches(pattern, familiarImageName(ref)) ||
    globMatches(pattern, familiarImageName({ ...ref, tag: null, digest: null }))
  );
}

/**
 * With reference filters, Docker lists only the names that match them (`images busybox` does
 * not show the image's other repositories); without, every name.
 */
export function namesShown(filters: readonly string[], names: readonly string[]): string[] {
  const patterns = groupFilters(filters).get('reference') ?? [];
  if (patterns.length === 0) return [...names];
  return names.filter((name) => patterns.some((pattern) => referenceMatches(pattern, name)));
}

/** The digests of the repositories whose tags are shown, and those the reference filters match. */
export function digestsShown(
  filters: readonly string[],
  digests: readonly string[],
  tagsShown: readonly string[],
): string[] {
  const repository = (name: string) =>
    familiarImageName({ ...parseImageReference(name), tag: null, digest: null });
  const repositories = new Set(tagsShown.map(repository));
  const matching = new Set(namesShown(filters, digests));
  return digests.filter((digest) => matching.has(digest) || repositories.has(repository(digest)));
}
