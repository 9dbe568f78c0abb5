import type { DiskUsageRow } from '@stevedore/shared';
import { diskUsage } from '../util/disk-usage.js';

export interface DiskUsageSources {
  images(): Promise<{ id: string; inUse: boolean; layers: string[] }[]>;
  containers(): { id: string; upper: string; running: boolean }[];
  volumes(): Promise<{ name: string; mountpoint: string; inUse: boolean }[]>;
}

/**
 * `docker system df`. Image bytes count each layer once however many images share it; an
 * image's layers are reclaimable when no image a container uses holds them.
 */
export async function diskUsageReport(sources: DiskUsageSources): Promise<DiskUsageRow[]> {
  const [images, volumes] = await Promise.all([sources.images(), sources.volumes()]);
  const containers = sources.containers();
  const layers = [...new Set(images.flatMap((image) => image.layers))];
  const sizes = await diskUsage([
    ...layers,
    ...containers.map((c) => c.upper),
    ...volumes.map((v) => v.mountpoint),
  ]);
  const size = (path: string) => sizes.get(path) ?? 0;
  const usedLayers = new Set(images.filter((image) => image.inUse).flatMap((image) => image.layers));
  const imageBytes = layers.reduce((sum, layer) => sum + size(layer), 0);
  const imageReclaimable = layers
    .filter((layer) => !usedLayers.has(layer))
    .reduce((sum, layer) => sum + size(layer), 0);
  const containerBytes = containers.reduce((sum, c) => sum + size(c.upper), 0);
  const volumeBytes = volumes.reduce((sum, v) => sum + size(v.mountpoint), 0);
  return [
    {
      type: 'Images',
      total: images.length,
      active: images.filter((i) => i.inUse).length,
      size: imageBytes,
      reclaimable: imageReclaimable,
    },
    {
      type: 'Containers',
      total: containers.length,
      active: containers.filter((c) => c.running).length,
      size: containerBytes,
      reclaimable: containers.filter((c) => !c.running).reduce((sum, c) => sum + size(c.upper), 0),
    },
    {
      type: 'Local Volumes',
      total: volumes.length,
      active: volumes.filter((v) => v.inUse).length,
      size: volumeBytes,
      reclaimable: volumes.filter((v) => !v.inUse).reduce((sum, v) => sum + size(v.mountpoint), 0),
    },
    { type: 'Build Cache', total: 0, active: 0, size: 0, reclaimable: 0 },
  ];
}
