import type { ContainerSummary, DiskUsageDetails, ImageSummary } from '@stevedore/shared';
import type { PruneInventory } from './prune-candidates.js';

export interface PruneSources {
  danglingImages(): Promise<ImageSummary[]>;
  details(): Promise<DiskUsageDetails>;
  containers(): ContainerSummary[];
  /** When a container last stopped (RFC 3339; null when unknown or removed meanwhile). */
  finishedAt(id: string): Promise<string | null>;
}

/** Everything a prune policy looks at, read from the agent's own services. */
export async function readPruneInventory(sources: PruneSources): Promise<PruneInventory> {
  const [dangling, details] = await Promise.all([sources.danglingImages(), sources.details()]);
  const imageUsage = new Map(details.images.map((image) => [image.ID, image]));
  const containerBytes = new Map(details.containers.map((c) => [c.ID, c.Size]));
  const stopped = sources
    .containers()
    .filter((c) => c.State === 'exited' || c.State === 'created' || c.State === 'dead');
  const finished = await Promise.all(stopped.map((c) => sources.finishedAt(c.Id)));
  return {
    danglingImages: dangling.map((image) => ({
      id: image.Id,
      created: image.Created,
      uniqueBytes: imageUsage.get(image.Id)?.UniqueSize ?? image.Size,
      containers: imageUsage.get(image.Id)?.Containers ?? 0,
    })),
    stoppedContainers: stopped.map((c, i) => ({
      id: c.Id,
      name: c.Names[0]?.replace(/^\//, '') ?? c.Id.slice(0, 12),
      created: c.Created,
      finishedAt: finished[i] ?? null,
      bytes: containerBytes.get(c.Id) ?? 0,
    })),
    volumes: details.volumes.map((v) => ({ name: v.Name, links: v.Links, bytes: v.Size })),
  };
}
