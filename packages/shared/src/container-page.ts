import { z } from 'zod';
import type { WaitResult } from './containers/inspect.js';
import { ContainerNameSchema, ContainerRefSchema } from './containers/names.js';
import { SignalSchema } from './containers/signals.js';

/**
 * What the dashboard's container page sends to the control plane: one container of one host, the
 * actions that take parameters (kill, rename, remove), and the browser console's session.
 */

const HostId = z.string().min(1).max(64);

export const HostContainerRefInput = z.object({ hostId: HostId, container: ContainerRefSchema });
export type HostContainerRefInput = z.infer<typeof HostContainerRefInput>;

export const HostContainerTopInput = HostContainerRefInput.extend({
  /** `ps` options, as `docker top CONTAINER [ps OPTIONS]` takes them. */
  psArgs: z
    .string()
    .max(200)
    .regex(/^[A-Za-z0-9 ,=_-]*$/, { message: 'ps options are letters, digits, spaces, commas, = and -' })
    .default('-ef'),
});
export type HostContainerTopInput = z.input<typeof HostContainerTopInput>;

export const KillContainerInput = HostContainerRefInput.extend({ signal: SignalSchema.default('SIGKILL') });
export type KillContainerInput = z.input<typeof KillContainerInput>;

export const RenameContainerInput = HostContainerRefInput.extend({ name: ContainerNameSchema });
export type RenameContainerInput = z.infer<typeof RenameContainerInput>;

export const RemoveContainerInput = HostContainerRefInput.extend({
  /** Also remove the anonymous volumes the container created (`rm -v`). */
  volumes: z.boolean().default(false),
  /** Remove a running container (it is killed first, `rm -f`). */
  force: z.boolean().default(false),
});
export type RemoveContainerInput = z.input<typeof RemoveContainerInput>;

/** Signals offered by the kill chooser; any other name or number SignalSchema takes is accepted too. */
export const COMMON_KILL_SIGNALS = [
  'SIGKILL',
  'SIGTERM',
  'SIGINT',
  'SIGHUP',
  'SIGQUIT',
  'SIGUSR1',
  'SIGUSR2',
  'SIGWINCH',
] as const;

/** Opens a terminal in the browser: a new process with a pty (`exec -it`), or the main process (`attach`). */
export const ConsoleOpenInput = z.discriminatedUnion('mode', [
  HostContainerRefInput.extend({
    mode: z.literal('exec'),
    /** argv of the process, e.g. ["sh"] or ["bash", "-l"]. */
    command: z.array(z.string().min(1).max(4096)).min(1, { message: 'name a shell or command' }).max(64),
    user: z
      .string()
      .max(64)
      .regex(/^$|^[^:\s]+(:[^:\s]+)?$/, { message: 'user is name|uid[:group|gid]' })
      .default(''),
    rows: z.number().int().min(1).max(1000).default(24),
    cols: z.number().int().min(1).max(1000).default(80),
  }),
  HostContainerRefInput.extend({
    mode: z.literal('attach'),
    rows: z.number().int().min(1).max(1000).default(24),
    cols: z.number().int().min(1).max(1000).default(80),
  }),
]);
export type ConsoleOpenInput = z.input<typeof ConsoleOpenInput>;

const ConsoleSessionId = z.string().uuid();

export const ConsoleWriteInput = z.object({
  hostId: HostId,
  sessionId: ConsoleSessionId,
  /** Keystrokes or pasted text, base64 (binary-safe). */
  data: z.string().max(1_000_000),
});
export type ConsoleWriteInput = z.infer<typeof ConsoleWriteInput>;

export const ConsoleResizeInput = z.object({
  hostId: HostId,
  sessionId: ConsoleSessionId,
  rows: z.number().int().min(1).max(1000),
  cols: z.number().int().min(1).max(1000),
});
export type ConsoleResizeInput = z.infer<typeof ConsoleResizeInput>;

/** What a console session streams to the browser. */
export type ConsoleEvent =
  /** The session is open; writes and resizes name this id. */
  | { type: 'ready'; sessionId: string }
  /** Terminal output, base64. */
  | { type: 'output'; data: string }
  /** Output left out because the browser read more slowly than the process wrote. */
  | { type: 'dropped'; bytes: number }
  /**
   * The process ended. `missingCommand`: the command could not be started because the image has
   * no such executable (the shell is missing).
   */
  | { type: 'exit'; exitCode: number; missingCommand: string | null; result?: WaitResult };
