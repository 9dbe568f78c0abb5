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
          return image.repoTags.some((tag) => {
            const familiar = familiarImageName(parseImageReference(tag));
            return globMatches(value, familiar) || globMatches(value, familiar.replace(/:[^:/]*$/, ''));
          });
        case 'before':
          return created(image) < bounds.get(`before=${value}`)!;
        case 'since':
          return created(image) > bounds.get(`since=${value}`)!;
        default:
          return true;
      }
    });
}
