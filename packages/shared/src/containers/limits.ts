import { z } from 'zod';
import { ContainerRefSchema } from './names.js';
import { ResourcesUpdateSchema } from './resources.js';

/**
 * A container's limits as the kernel holds them: the agent reads them back from the container's
 * cgroup files (v1 or v2) after every `update` and on request, so the dashboard can show proof
 * rather than what was asked.
 */

/** The limits the panel edits, by their HostConfig names. */
export const LIMIT_FIELDS = [
  'Memory',
  'MemorySwap',
  'MemoryReservation',
  'NanoCpus',
  'CpuShares',
  'CpuPeriod',
  'CpuQuota',
  'CpusetCpus',
  'CpusetMems',
  'PidsLimit',
  'BlkioWeight',
] as const;
export const LimitFieldSchema = z.enum(LIMIT_FIELDS);
export type LimitField = z.infer<typeof LimitFieldSchema>;

/** A limit's value in its HostConfig unit (bytes, nano-CPUs, shares, µs, a cpuset); null = unlimited / unset. */
const LimitValueSchema = z.union([z.number(), z.string()]).nullable();

/** One limit read back from one cgroup file. */
export const CgroupReadingSchema = z.object({
  field: LimitFieldSchema,
  /** The file read, relative to the container's cgroup directory (memory.max, memory.limit_in_bytes, …). */
  file: z.string(),
  /** The file's content as the kernel returned it, trimmed ("max", "100000 100000", "268435456"). */
  raw: z.string(),
  /** `raw` in the field's HostConfig unit. */
  applied: LimitValueSchema,
  /** What the container's configuration asks for, in the same unit. */
  configured: LimitValueSchema,
  /** False when the kernel holds something else than the configuration (the UI flags it). */
  matches: z.boolean(),
  /** Why a value differs or is approximate (e.g. cgroup v2 turns CPU shares into a weight). */
  note: z.string().optional(),
});
export type CgroupReading = z.infer<typeof CgroupReadingSchema>;

/** What a host offers, shown beside each field. */
export const LimitsCapacitySchema = z.object({
  cpus: z.number().int().positive(),
  /** The CPUs a cpuset may name, as the kernel lists them ("0-3"). */
  cpuList: z.string(),
  /** The memory nodes a cpuset may name ("0"). */
  memoryNodes: z.string(),
  memoryBytes: z.number().int().nonnegative(),
  swapBytes: z.number().int().nonnegative(),
  /** False when the kernel does not account swap: MemorySwap cannot be enforced. */
  swapAccounting: z.boolean(),
  cgroupVersion: z.union([z.literal(1), z.literal(2)]),
});
export type LimitsCapacity = z.infer<typeof LimitsCapacitySchema>;

export const ContainerLimitsSchema = z.object({
  containerId: z.string(),
  running: z.boolean(),
  /** The container's cgroup directory on the host; null when it is not running. */
  cgroupPath: z.string().nullable(),
  /** The configured limits (HostConfig), kept across container and agent restarts. */
  configured: z.record(LimitFieldSchema, LimitValueSchema),
  /** One reading per limit the cgroup version has a file for; empty when the container is not running. */
  readings: z.array(CgroupReadingSchema),
  capacity: LimitsCapacitySchema,
  /** Unix milliseconds of the read. */
  readAt: z.number(),
});
export type ContainerLimits = z.infer<typeof ContainerLimitsSchema>;

export const ContainerLimitsInputSchema = z.object({ container: ContainerRefSchema });

/** `update` answers with the engine's warnings and the limits read back right after applying them. */
export const UpdateResultSchema = z.object({
  Warnings: z.array(z.string()),
  limits: ContainerLimitsSchema,
});
export type UpdateResult = z.infer<typeof UpdateResultSchema>;

/** The dashboard's apply: one container on one host. */
export const ApplyLimitsInputSchema = z.object({
  hostId: z.string().min(1).max(64),
  container: ContainerRefSchema,
  changes: ResourcesUpdateSchema,
});
export type ApplyLimitsInput = z.infer<typeof ApplyLimitsInputSchema>;
