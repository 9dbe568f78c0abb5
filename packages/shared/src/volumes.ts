import { z } from 'zod';

export const VolumeNameSchema = z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,254}$/, {
  message: 'volume names are [a-zA-Z0-9][a-zA-Z0-9_.-] (at most 255 characters)',
});

/** `docker volume inspect`. */
export const VolumeSchema = z.object({
  Name: z.string(),
  Driver: z.literal('local'),
  Mountpoint: z.string(),
  CreatedAt: z.string(),
  Labels: z.record(z.string(), z.string()),
  Scope: z.literal('local'),
  Options: z.record(z.string(), z.string()),
});
export type Volume = z.infer<typeof VolumeSchema>;

export const VolumeCreateSchema = z.object({
  Name: VolumeNameSchema.optional(),
  Labels: z.record(z.string(), z.string()).default({}),
  /** Only `local` (no volume plugins); another is refused with Docker's message. */
  Driver: z.string().max(200).default('local'),
  /** The local driver's `type`, `device` and `o` (`volume create --opt`). */
  DriverOpts: z.record(z.string().max(100), z.string().max(4096)).default({}),
});
