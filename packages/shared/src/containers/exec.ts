import { z } from 'zod';
import { AbsolutePath, EnvVarSchema } from './fields.js';
import { ContainerRefSchema } from './names.js';

export const ExecInputSchema = z.object({
  container: ContainerRefSchema,
  Cmd: z.array(z.string()).min(1, { message: 'exec needs a command' }),
  Env: z.array(EnvVarSchema).default([]),
  User: z
    .string()
    .regex(/^$|^[^:\s]+(:[^:\s]+)?$/, { message: 'user is name|uid[:group|gid]' })
    .default(''),
  WorkingDir: z.union([z.literal(''), AbsolutePath]).default(''),
  Tty: z.boolean().default(false),
  AttachStdin: z.boolean().default(false),
  Detach: z.boolean().default(false),
  Privileged: z.boolean().default(false),
  /** Initial terminal size for Tty. */
  Rows: z.number().int().min(1).max(1000).default(24),
  Cols: z.number().int().min(1).max(1000).default(80),
});
export type ExecInput = z.input<typeof ExecInputSchema>;
export type ExecRequest = z.output<typeof ExecInputSchema>;

/** What an exec session streams: its ID first, then output (base64, binary-safe), then the exit code. */
export type ExecEvent =
  | { type: 'started'; execId: string }
  | { type: 'output'; stream: 'stdout' | 'stderr'; data: string }
  | { type: 'exit'; exitCode: number };

export const ExecWriteSchema = z.object({
  execId: z.string().regex(/^[a-f0-9]{64}$/),
  /** base64 bytes for the process's stdin. */
  data: z.string().max(1_000_000).default(''),
  /** Close stdin after writing. */
  eof: z.boolean().default(false),
});

export const ExecResizeSchema = z.object({
  execId: z.string().regex(/^[a-f0-9]{64}$/),
  rows: z.number().int().min(1).max(1000),
  cols: z.number().int().min(1).max(1000),
});
