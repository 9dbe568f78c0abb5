import { familiarImageName, parseImageReference } from '@stevedore/shared';

/** An image's REPOSITORY and TAG columns: one row per tag, `<none> <none>` when it has none. */
export function repoTagRows(repoTags: readonly string[]): { Repository: string; Tag: string }[] {
  if (repoTags.length === 0) return [{ Repository: '<none>', Tag: '<none>' }];
  return repoTags.map((repoTag) => {
    const ref = parseImageReference(repoTag);
    return { Repository: familiarImageName({ ...ref, tag: null, digest: null }), Tag: ref.tag ?? '<none>' };
  });
}
