import type { ContainerSummary, DiskUsageDetails, DiskUsageRow } from '@stevedore/shared';
import { diskUsage } from '../util/disk-usage.js';

export interface DiskUsageSources {
  images(): Promise<{ id: string; inUse: boolean; layers: string[] }[]>;
  containers(): { id: string; upper: string; running: boolean }[];
  volumes(): Promise<{ name: string; mountpoint: string; inUse: boolean }[]>;
  /** Blobs and layers no image refers to (unfinished pulls, loads, commits); a prune frees them. */
  leftovers(): Promise<{ count: number; size: number }>;
  /** Containers' log files, rotated ones included (a row Docker has not). */
  logs?(): Promise<DiskUsageRow>;
}

/**
 * `docker system df`. Image bytes count each layer once however many images share it; an
 * image's layers are reclaimable when no image a container uses holds them.
 */
export async function diskUsageReport(sources: DiskUsageSources): Promise<DiskUsageRow[]> {
  const [images, volumes, leftovers, logs] = await Promise.all([
    sources.images(),
    sources.volumes(),
    sources.leftovers(),
    sources.logs?.() ?? null,
  ]);
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
    ...(logs ? [logs] : []),
    {
      type: 'Unfinished Downloads',
      total: leftovers.count,
      active: 0,
      size: leftovers.size,
      reclaimable: leftovers.size,
    },
  ];
}

export interface DiskUsageDetailSources extends DiskUsageSources {
  images(): Promise<{ id: string; inUse: boolean; layers: string[]; repoTags: string[]; created: string }[]>;
  summaries(): ContainerSummary[];
}

/**
 * `docker system df -v`: per image its shared and unique bytes (layers other images also use are
 * shared), per container its writable layer, per volume how many containers mount it.
 */
export async function diskUsageDetails(sources: DiskUsageDetailSources): Promise<DiskUsageDetails> {
  const [images, volumes] = await Promise.all([sources.images(), sources.volumes()]);
  const uppers = new Map(sources.containers().map((c) => [c.id, c.upper]));
  const summaries = sources.summaries();
  const sizes = await diskUsage([
    ...new Set(images.flatMap((image) => image.layers)),
    ...uppers.values(),
    ...volumes.map((v) => v.mountpoint),
  ]);
  const size = (path: string) => sizes.get(path) ?? 0;
  const holders = new Map<string, number>();
  for (const layer of images.flatMap((image) => [...new Set(image.layers)])) {
    holders.set(layer, (holders.get(layer) ?? 0) + 1);
  }
  const sum = (layers: string[]) => layers.reduce((total, layer) => total + size(layer), 0);
  return {
    images: images.map((image) => {
      const layers = [...new Set(image.layers)];
      const shared = sum(layers.filter((layer) => (holders.get(layer) ?? 0) > 1));
      const total = sum(layers);
      return {
        ID: image.id,
        RepoTags: image.repoTags,
        Created: Math.floor(Date.parse(image.created) / 1000) || 0,
        Size: total,
        SharedSize: shared,
        UniqueSize: total - shared,
        Containers: summaries.filter((c) => c.ImageID === image.id).length,
      };
    }),
    containers: summaries.map((c) => ({
      ID: c.Id,
      Image: c.Image,
      Command: c.Command,
      LocalVolumes: c.Mounts.filter((m) => m.Type === 'volume').length,
      Size: size(uppers.get(c.Id) ?? ''),
      Created: c.Created,
      Status: c.Status,
      Names: c.Names.map((n) => n.replace(/^\//, '')).join(','),
    })),
    volumes: volumes.map((v) => ({
      Name: v.name,
      Links: summaries.filter((c) => c.Mounts.some((m) => m.Type === 'volume' && m.Name === v.name)).length,
      Size: size(v.mountpoint),
    })),
  };
}
