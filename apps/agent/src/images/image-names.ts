import {
  familiarImageName,
  formatImageReference,
  parseImageReference,
  StevedoreError,
} from '@stevedore/shared';

/** A canonical name as people write it (`busybox:latest` for `docker.io/library/busybox:latest`). */
export const familiarOf = (canonical: string) => familiarImageName(parseImageReference(canonical));

/** The canonical form of a tag (`busybox` → `docker.io/library/busybox:latest`); a digest is refused. */
export function canonicalTag(name: string): string {
  const ref = parseImageReference(name);
  if (ref.digest) throw new StevedoreError('INVALID_ARGUMENT', `"${name}": a tag cannot contain a digest`);
  return formatImageReference(ref);
}

/** The canonical tag, or null when `name` is no tag (an ID, a digest reference, not a name at all). */
export function tryCanonicalTag(name: string): string | null {
  try {
    return canonicalTag(name);
  } catch {
    return null;
  }
}

/** The canonical name (tag or digest reference), or null when `name` does not parse as one. */
export function tryCanonicalName(name: string): string | null {
  try {
    return formatImageReference(parseImageReference(name));
  } catch {
    return null;
  }
}
