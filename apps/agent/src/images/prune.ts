import type { PruneReport } from '@stevedore/shared';
import { diskUsage } from '../util/disk-usage.js';
import { type LeftoverDeps, pruneLeftovers } from './leftovers.js';
import type { RemoveResult } from './remove-image.js';

/**
 * `docker image prune`: dangling images (no tag), or with `all` every image no container uses,
 * each removed by `remove` (forced, by ID); then what unfinished pulls left. Reports the bytes of
 * the layers that went with them.
 */
export async function pruneImages(
  deps: LeftoverDeps,
  all: boolean,
  remove: (imageId: string) => Promise<RemoveResult>,
): Promise<PruneReport> {
  const images = await deps.images.list();
  const candidates = images.filter(
    (image) => (all || image.repoTags.length === 0) && !deps.references.imageUser(image.id),
  );
  const sizes = await diskUsage(
    [...new Set(candidates.flatMap((image) => image.chainIds))].map((c) => deps.layers.diffDir(c)),
  );
  const report: PruneReport = { deleted: [], untagged: [], spaceReclaimed: 0 };
  for (const image of candidates) {
    const result = await remove(image.id);
    report.untagged.push(...result.untagged);
    for (const id of result.deleted) {
      report.deleted.push(id);
      if (id !== image.id) report.spaceReclaimed += sizes.get(deps.layers.diffDir(id)) ?? 0;
    }
  }
  report.spaceReclaimed += await pruneLeftovers(deps);
  return report;
}
