import type { FleetImageRow, HostImageRow } from '@stevedore/shared';

/**
 * Every host's images as one list: an image is the same on every host that has it (its ID is the
 * digest of its config), so rows merge by ID, with the names any host gives it and the hosts.
 */
export function mergeFleetImages(
  hosts: readonly { hostId: string; hostName: string; images: HostImageRow[] }[],
) {
  const rows = new Map<string, FleetImageRow>();
  for (const host of hosts) {
    for (const image of host.images) {
      const row = rows.get(image.id) ?? {
        id: image.id,
        repoTags: [],
        repoDigests: [],
        created: image.created,
        size: image.size,
        hosts: [],
      };
      for (const tag of image.repoTags) if (!row.repoTags.includes(tag)) row.repoTags.push(tag);
      for (const digest of image.repoDigests)
        if (!row.repoDigests.includes(digest)) row.repoDigests.push(digest);
      row.hosts.push({ hostId: host.hostId, hostName: host.hostName, containers: image.usedBy.length });
      rows.set(image.id, row);
    }
  }
  return [...rows.values()].sort((a, b) => Date.parse(b.created) - Date.parse(a.created));
}
