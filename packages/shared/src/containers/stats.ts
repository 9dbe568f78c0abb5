import { z } from 'zod';
import { ContainerRefSchema } from './names.js';

/** One sample of a container's resource use, computed as `docker stats` computes it. */
export const ContainerStatsSchema = z.object({
  id: z.string(),
  name: z.string(),
  /** RFC 3339 time of the sample. */
  read: z.string(),
  /** Share of one CPU × 100 (200 = two full CPUs), Docker's CPU %. */
  cpuPercent: z.number().nonnegative(),
  /** Usage minus inactive file cache, as Docker shows it. */
  memoryUsage: z.number().int().nonnegative(),
  memoryLimit: z.number().int().nonnegative(),
  memoryPercent: z.number().nonnegative(),
  networkRx: z.number().int().nonnegative(),
  networkTx: z.number().int().nonnegative(),
  blockRead: z.number().int().nonnegative(),
  blockWrite: z.number().int().nonnegative(),
  pids: z.number().int().nonnegative(),
});
export type ContainerStats = z.infer<typeof ContainerStatsSchema>;

export const StatsInputSchema = z.object({
  /** Containers to sample; empty: every running container. */
  containers: z.array(ContainerRefSchema).default([]),
  /** false: one sample (`--no-stream`), then the stream ends. */
  stream: z.boolean().default(true),
});

/** `docker top`: the titles and rows of `ps` for the container's processes. */
export const TopResultSchema = z.object({
  Titles: z.array(z.string()),
  Processes: z.array(z.array(z.string())),
});
export type TopResult = z.infer<typeof TopResultSchema>;
