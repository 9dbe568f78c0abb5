import { resolve } from 'node:path';
import { z } from 'zod';

/** The web server's environment, validated once; nothing else reads process.env. */
const EnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('production'),
  HOSTNAME: z.string().default('127.0.0.1'),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  DATABASE_URL: z.string().optional(),
  STEVEDORE_DATA_DIR: z.string().default(resolve(import.meta.dirname ?? '.', '../data')),
  /** When set, a host named `local` pointing at this agent socket is registered at start. */
  STEVEDORE_LOCAL_AGENT_SOCKET: z.string().optional(),
  /** base64 of 32 bytes; when unset the key lives in <data dir>/secret.key. */
  STEVEDORE_SECRET_KEY: z.string().optional(),
  /** Always mark session cookies Secure; without it they are Secure on HTTPS requests only. */
  STEVEDORE_SECURE_COOKIES: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
  /**
   * The dashboard sits behind a reverse proxy that sets X-Forwarded-For and X-Forwarded-Proto: use
   * them for the client address (login throttling, audit) and to tell HTTPS (Secure cookies).
   * Never set it without such a proxy: clients could then claim any address.
   */
  STEVEDORE_TRUST_PROXY: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
  /** The packaged agent that "install the agent over SSH" ships (scripts/bundle-agent.mjs). */
  STEVEDORE_AGENT_PACKAGE: z
    .string()
    .default(resolve(import.meta.dirname ?? '.', '../../agent/dist/package')),
  /** Fleet events older than this many days are dropped from the database. */
  STEVEDORE_EVENTS_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(7),
  /** At most this many fleet events are kept (the newest). */
  STEVEDORE_EVENTS_MAX: z.coerce.number().int().min(100).max(10_000_000).default(100_000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});
export type Env = z.infer<typeof EnvSchema>;

export function loadEnv(source: NodeJS.ProcessEnv = process.env): Env {
  const parsed = EnvSchema.safeParse(source);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n');
    throw new Error(`invalid environment for the Stevedore web server:\n${problems}`);
  }
  return parsed.data;
}
