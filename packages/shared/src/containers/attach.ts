import { z } from 'zod';
import type { WaitResult } from './inspect.js';
import { ContainerRefSchema } from './names.js';

/** An interactive attachment's stream: its ID, raw output (base64), then the exit status. */
export type AttachEvent =
  | { type: 'attached'; attachId: string }
  | { type: 'output'; stream: 'stdout' | 'stderr'; data: string }
  /** Output left out because the client read more slowly than the container wrote. */
  | { type: 'dropped'; bytes: number }
  | { type: 'exit'; result: WaitResult };

export const AttachInputSchema = z.object({
  container: ContainerRefSchema,
  /** Start the container once attached (`run -it`, `start -ai`). */
  start: z.boolean().default(false),
  rows: z.number().int().min(1).max(1000).default(24),
  cols: z.number().int().min(1).max(1000).default(80),
});

export const AttachWriteSchema = z.object({
  attachId: z.string().regex(/^[a-f0-9]{64}$/),
  data: z.string().max(1_000_000).default(''),
  eof: z.boolean().default(false),
});

export const AttachResizeSchema = z.object({
  attachId: z.string().regex(/^[a-f0-9]{64}$/),
  rows: z.number().int().min(1).max(1000),
  cols: z.number().int().min(1).max(1000),
});
