import { z } from 'zod';
import { VolumeCreateSchema, VolumeNameSchema, VolumeSchema } from './volumes.js';

const HostIdSchema = z.string().min(1).max(64);

export const HostVolumesInputSchema = z.object({ hostId: HostIdSchema });
export const HostVolumeRefSchema = z.object({ hostId: HostIdSchema, name: VolumeNameSchema });
export type HostVolumeRef = z.infer<typeof HostVolumeRefSchema>;

export const HostVolumeCreateInputSchema = z.object({ hostId: HostIdSchema, volume: VolumeCreateSchema });
export type HostVolumeCreateInput = z.input<typeof HostVolumeCreateInputSchema>;

export const HostVolumeRemoveInputSchema = HostVolumeRefSchema.extend({
  /** Docker's `volume rm -f`: a volume that is gone already is no error. A volume in use is refused still. */
  force: z.boolean().default(false),
});
export type HostVolumeRemoveInput = z.input<typeof HostVolumeRemoveInputSchema>;

/** A container that mounts a volume. */
export const VolumeUserSchema = z.object({
  id: z.string(),
  name: z.string(),
  state: z.string(),
  destination: z.string(),
});
export type VolumeUser = z.infer<typeof VolumeUserSchema>;

/** One volume as the host's Volumes tab shows it. */
export const HostVolumeSchema = z.object({
  volume: VolumeSchema,
  usedBy: z.array(VolumeUserSchema),
});
export type HostVolume = z.infer<typeof HostVolumeSchema>;

/** Bytes per volume name, from the engine's `system df -v` (measured on demand: it walks the files). */
export const VolumeSizesSchema = z.record(z.string(), z.number().nonnegative());
export type VolumeSizes = z.infer<typeof VolumeSizesSchema>;

/** What a prune would remove: volumes no container uses, with their sizes. */
export const VolumePrunePreviewSchema = z.object({
  volumes: z.array(z.object({ name: z.string(), size: z.number().nonnegative(), createdAt: z.string() })),
  reclaimable: z.number().nonnegative(),
});
export type VolumePrunePreview = z.infer<typeof VolumePrunePreviewSchema>;

/** Prune exactly the previewed volumes, so nothing created since the preview goes too. */
export const HostVolumePruneInputSchema = z.object({
  hostId: HostIdSchema,
  volumes: z.array(VolumeNameSchema).min(1).max(500),
});
export type HostVolumePruneInput = z.infer<typeof HostVolumePruneInputSchema>;
