import type { PruneItem, PruneRules } from '@stevedore/shared';

const DAY_MS = 24 * 60 * 60 * 1000;

/** What the host has, as far as a prune policy looks at it. */
export interface PruneInventory {
  /** Untagged images (the agent's `dangling=true`). */
  danglingImages: { id: string; created: string; uniqueBytes: number; containers: number }[];
  /** Containers that are not running, with when they stopped (null or year 1: never ran). */
  stoppedContainers: {
    id: string;
    name: string;
    created: number;
    finishedAt: string | null;
    bytes: number;
  }[];
  volumes: { name: string; links: number; bytes: number }[];
}

const daysText = (days: number) => `${days} day${days === 1 ? '' : 's'}`;
const shortId = (id: string) => id.replace(/^sha256:/, '').slice(0, 12);

/**
 * What a policy removes from an inventory, and why: the same selection for the dry run and the
 * run, so the preview is what happens. Images a container still uses and volumes a container
 * mounts are never candidates (the engine would refuse them anyway).
 */
export function pruneCandidates(policy: PruneRules, inventory: PruneInventory, now: number): PruneItem[] {
  const items: PruneItem[] = [];
  const { danglingImagesDays: imageDays, stoppedContainersDays: containerDays } = policy;
  if (imageDays !== null) {
    for (const image of inventory.danglingImages) {
      const created = Date.parse(image.created);
      // An image without a creation time counts as old.
      const since = Number.isFinite(created) ? created : 0;
      if (image.containers > 0 || now - since < imageDays * DAY_MS) continue;
      items.push({
        kind: 'image',
        id: image.id,
        name: shortId(image.id),
        bytes: image.uniqueBytes,
        reason:
          since > 0 ? `dangling, created ${daysText(Math.floor((now - since) / DAY_MS))} ago` : 'dangling',
      });
    }
  }
  if (containerDays !== null) {
    for (const container of inventory.stoppedContainers) {
      // A container that never ran counts from its creation.
      const finished = container.finishedAt ? Date.parse(container.finishedAt) : Number.NaN;
      const since = Number.isFinite(finished) && finished > 0 ? finished : container.created * 1000;
      if (now - since < containerDays * DAY_MS) continue;
      items.push({
        kind: 'container',
        id: container.id,
        name: container.name,
        bytes: container.bytes,
        reason: `stopped ${daysText(Math.floor((now - since) / DAY_MS))} ago`,
      });
    }
  }
  if (policy.unusedVolumes) {
    for (const volume of inventory.volumes) {
      if (volume.links > 0) continue;
      items.push({
        kind: 'volume',
        id: volume.name,
        name: volume.name,
        bytes: volume.bytes,
        reason: 'no container uses it',
      });
    }
  }
  return items;
}
