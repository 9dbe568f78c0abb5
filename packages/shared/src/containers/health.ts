import { z } from 'zod';

/**
 * Healthchecks as Docker has them: `HEALTHCHECK` in an image config and `--health-*` on
 * run/create (Config.Healthcheck, durations in nanoseconds), and the state the engine keeps
 * of the probes (State.Health in inspect).
 */

export const NANOS_PER_MILLISECOND = 1_000_000;
export const NANOS_PER_SECOND = 1_000_000_000;

/** Docker's defaults for a healthcheck field left at 0. */
export const HEALTH_DEFAULTS = {
  Interval: 30 * NANOS_PER_SECOND,
  Timeout: 30 * NANOS_PER_SECOND,
  StartPeriod: 0,
  StartInterval: 5 * NANOS_PER_SECOND,
  Retries: 3,
} as const;

/** Results kept in State.Health.Log, and the bytes of output kept of each (Docker's numbers). */
export const HEALTH_LOG_ENTRIES = 5;
export const HEALTH_OUTPUT_BYTES = 4096;

/** A duration field: 0 means "inherit / default"; anything else at least 1 ms (the daemon's rule). */
const durationField = (name: string) =>
  z
    .number()
    .int()
    .refine((value) => value === 0 || value >= NANOS_PER_MILLISECOND, {
      message: `${name} in Healthcheck cannot be less than 1ms`,
    })
    .optional();

export const HealthTestSchema = z.array(z.string()).superRefine((test, ctx) => {
  if (test.length === 0) return; // inherit the image's test
  const [kind, ...rest] = test;
  if (kind === 'NONE') return;
  if (kind === 'CMD' && rest.length > 0 && rest[0] !== '') return;
  if (kind === 'CMD-SHELL' && rest.length === 1 && rest[0]!.trim() !== '') return;
  ctx.addIssue({
    code: 'custom',
    message:
      kind === 'CMD' || kind === 'CMD-SHELL'
        ? `a ${kind} healthcheck needs a command`
        : `Unknown healthcheck type '${kind}' (expected 'CMD', 'CMD-SHELL' or 'NONE')`,
  });
});

/** Config.Healthcheck (Docker's HealthConfig). */
export const HealthConfigSchema = z.object({
  /** [] inherit, ["NONE"] disable, ["CMD", arg...] exec, ["CMD-SHELL", command] through /bin/sh -c. */
  Test: HealthTestSchema.optional(),
  Interval: durationField('Interval'),
  Timeout: durationField('Timeout'),
  StartPeriod: durationField('StartPeriod'),
  StartInterval: durationField('StartInterval'),
  Retries: z.number().int().min(0, { message: 'Retries in Healthcheck cannot be negative' }).optional(),
});
export type HealthConfig = z.infer<typeof HealthConfigSchema>;

export const HealthStatusSchema = z.enum(['starting', 'healthy', 'unhealthy']);
export type HealthStatus = z.infer<typeof HealthStatusSchema>;

/** One probe's result (Docker's HealthcheckResult); ExitCode -1 when it timed out or could not run. */
export const HealthResultSchema = z.object({
  Start: z.string(),
  End: z.string(),
  ExitCode: z.number().int(),
  Output: z.string(),
});
export type HealthResult = z.infer<typeof HealthResultSchema>;

/** State.Health: present only for a container with a healthcheck. */
export const HealthStateSchema = z.object({
  Status: HealthStatusSchema,
  FailingStreak: z.number().int().nonnegative(),
  Log: z.array(HealthResultSchema),
});
export type HealthState = z.infer<typeof HealthStateSchema>;

/** `ps --filter health=`: Docker's values, `none` for containers without a healthcheck. */
export const HEALTH_FILTER_VALUES = ['starting', 'healthy', 'unhealthy', 'none'] as const;

/** The effective healthcheck of a container: null when it has none (no test, or NONE). */
export function effectiveHealthcheck(config: HealthConfig | undefined | null): {
  test: string[];
  interval: number;
  timeout: number;
  startPeriod: number;
  startInterval: number;
  retries: number;
} | null {
  const test = config?.Test ?? [];
  if (test.length === 0 || test[0] === 'NONE') return null;
  return {
    test,
    interval: config?.Interval || HEALTH_DEFAULTS.Interval,
    timeout: config?.Timeout || HEALTH_DEFAULTS.Timeout,
    startPeriod: config?.StartPeriod || HEALTH_DEFAULTS.StartPeriod,
    startInterval: config?.StartInterval || HEALTH_DEFAULTS.StartInterval,
    retries: config?.Retries || HEALTH_DEFAULTS.Retries,
  };
}

/**
 * The container's healthcheck over the image's, the way dockerd merges them: no healthcheck of
 * its own takes the image's; an empty test takes the image's test, and each 0 field the image's value.
 */
export function mergeHealthcheck(
  own: HealthConfig | undefined,
  image: HealthConfig | undefined | null,
): HealthConfig | undefined {
  if (!image) return own;
  if (!own) return image;
  const merged: HealthConfig = {
    Test: own.Test && own.Test.length > 0 ? own.Test : image.Test,
    Interval: own.Interval || image.Interval,
    Timeout: own.Timeout || image.Timeout,
    StartPeriod: own.StartPeriod || image.StartPeriod,
    StartInterval: own.StartInterval || image.StartInterval,
    Retries: own.Retries || image.Retries,
  };
  // Fields neither set stay out (as Docker's omitempty), not `undefined` keys.
  return Object.fromEntries(Object.entries(merged).filter(([, value]) => value !== undefined));
}

const GO_UNITS: Record<string, number> = {
  ns: 1,
  us: 1_000,
  µs: 1_000,
  μs: 1_000,
  ms: NANOS_PER_MILLISECOND,
  s: NANOS_PER_SECOND,
  m: 60 * NANOS_PER_SECOND,
  h: 3600 * NANOS_PER_SECOND,
};

/** Go's time.ParseDuration ("1m30s", "500ms", "1.5h", "-2s", "0"), in nanoseconds. */
export function parseGoDuration(text: string): number {
  const invalid = () => new Error(`time: invalid duration ${JSON.stringify(text)}`);
  let rest = text;
  let sign = 1;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    sign = rest.startsWith('-') ? -1 : 1;
    rest = rest.slice(1);
  }
  if (rest === '0') return 0;
  if (rest === '') throw invalid();
  let total = 0;
  const part = /^(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/;
  while (rest !== '') {
    const match = part.exec(rest);
    if (!match) {
      if (/^(\d+(?:\.\d*)?|\.\d+)$/.test(rest))
        throw new Error(`time: missing unit in duration ${JSON.stringify(text)}`);
      throw invalid();
    }
    total += Number(match[1]) * GO_UNITS[match[2]!]!;
    rest = rest.slice(match[0].length);
  }
  return sign * Math.round(total);
}

/** Go's Duration.String(): "30s", "1m0s", "1.5s", "500ms", "2h0m0s". */
export function formatGoDuration(nanos: number): string {
  if (nanos === 0) return '0s';
  const sign = nanos < 0 ? '-' : '';
  const n = Math.abs(nanos);
  const trim = (value: string) => value.replace(/\.?0+$/, '');
  if (n < 1_000) return `${sign}${n}ns`;
  if (n < NANOS_PER_MILLISECOND) return `${sign}${trim((n / 1_000).toFixed(3))}µs`;
  if (n < NANOS_PER_SECOND) return `${sign}${trim((n / NANOS_PER_MILLISECOND).toFixed(6))}ms`;
  const hours = Math.floor(n / (3600 * NANOS_PER_SECOND));
  const minutes = Math.floor((n % (3600 * NANOS_PER_SECOND)) / (60 * NANOS_PER_SECOND));
  const seconds = trim(((n % (60 * NANOS_PER_SECOND)) / NANOS_PER_SECOND).toFixed(9));
  if (hours > 0) return `${sign}${hours}h${minutes}m${seconds}s`;
  if (minutes > 0) return `${sign}${minutes}m${seconds}s`;
  return `${sign}${seconds}s`;
}

/**
 * The `run` flags that give a container this healthcheck ([flag, value], value null for a
 * switch): what the run form's command line shows. An exec-form test (CMD) becomes a shell
 * command of the same words, the only form `--health-cmd` has.
 */
export function healthRunFlags(config: HealthConfig | undefined): Array<[string, string | null]> {
  if (!config) return [];
  const test = config.Test ?? [];
  if (test[0] === 'NONE') return [['no-healthcheck', null]];
  const flags: Array<[string, string | null]> = [];
  if (test[0] === 'CMD-SHELL') flags.push(['health-cmd', test[1] ?? '']);
  else if (test[0] === 'CMD') flags.push(['health-cmd', test.slice(1).map(shellWord).join(' ')]);
  if (config.Interval) flags.push(['health-interval', formatGoDuration(config.Interval)]);
  if (config.Timeout) flags.push(['health-timeout', formatGoDuration(config.Timeout)]);
  if (config.Retries) flags.push(['health-retries', String(config.Retries)]);
  if (config.StartPeriod) flags.push(['health-start-period', formatGoDuration(config.StartPeriod)]);
  if (config.StartInterval) flags.push(['health-start-interval', formatGoDuration(config.StartInterval)]);
  return flags;
}

const shellWord = (word: string) =>
  /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
