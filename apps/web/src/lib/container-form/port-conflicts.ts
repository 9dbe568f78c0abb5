import type { ContainerFormValues } from './values';

export interface PublishedPort {
  hostIp: string;
  hostPort: number;
  protocol: string;
  container: string;
}

const anyAddress = (ip: string) => ip === '' || ip === '0.0.0.0';

/**
 * Rows that ask for a host port another running container already publishes on the same protocol
 * and an overlapping address (ignoring `ignoreContainer`, the container being edited). Ranges and
 * empty host ports pick a free port, so they cannot conflict.
 */
export function portConflicts(
  ports: ContainerFormValues['ports'],
  published: readonly PublishedPort[],
  ignoreContainer?: string,
): Array<{ index: number; message: string }> {
  const conflicts: Array<{ index: number; message: string }> = [];
  ports.forEach((row, index) => {
    if (!/^\d+$/.test(row.hostPort.trim())) return;
    const port = Number(row.hostPort);
    const ip = row.hostIp.trim();
    const taken = published.find(
      (p) =>
        p.hostPort === port &&
        p.protocol === row.protocol &&
        p.container !== ignoreContainer &&
        (anyAddress(ip) || anyAddress(p.hostIp) || p.hostIp === ip),
    );
    if (taken) {
      conflicts.push({
        index,
        message: `host port ${port}/${row.protocol} is already published by ${taken.container}`,
      });
    }
    const earlier = ports.findIndex(
      (other, j) =>
        j < index && other.hostPort.trim() === row.hostPort.trim() && other.protocol === row.protocol,
    );
    if (earlier >= 0)
      conflicts.push({ index, message: `host port ${port}/${row.protocol} is also in row ${earlier + 1}` });
  });
  return conflicts;
}
