/**
 * How many hosts one process should follow: an even split over the live processes, rounded up so
 * every host has room somewhere.
 */
export function fairShare(hosts: number, liveProcesses: number): number {
  return Math.ceil(hosts / Math.max(1, liveProcesses));
}

/**
 * What a process does this round: give up its surplus beyond its share (others are waiting for
 * hosts), or take up to its share of the free ones. Never both: a host given up is not taken back.
 */
export function leasePlan(
  held: number,
  hosts: number,
  liveProcesses: number,
): { release: number; take: number } {
  const share = fairShare(hosts, liveProcesses);
  if (held > share) return { release: held - share, take: 0 };
  return { release: 0, take: share - held };
}
