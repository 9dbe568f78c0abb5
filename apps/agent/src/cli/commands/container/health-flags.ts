import { type HealthConfig, parseGoDuration } from '@stevedore/shared';
import type { FlagSpec } from '../../../util/argv.js';
import { booleanFlag, type CommandContext, stringFlag } from '../../command.js';
import { OperationalError } from '../../errors.js';
import { integer, parseFlagValue } from '../../flag-values.js';

const flag = (name: string, description: string, valueName: string): FlagSpec => ({
  name,
  kind: 'string',
  description,
  valueName,
});

/** Docker's healthcheck flags of `run` / `create`. */
export const HEALTH_FLAGS: readonly FlagSpec[] = [
  flag('health-cmd', 'Command to run to check health', 'string'),
  flag('health-interval', 'Time between running the check (ms|s|m|h) (default 0s)', 'duration'),
  flag('health-timeout', 'Maximum time to allow one check to run (ms|s|m|h) (default 0s)', 'duration'),
  flag('health-retries', 'Consecutive failures needed to report unhealthy', 'int'),
  flag(
    'health-start-period',
    'Start period for the container to initialize before starting health-retries countdown (ms|s|m|h) (default 0s)',
    'duration',
  ),
  flag(
    'health-start-interval',
    'Time between running the check during the start period (ms|s|m|h) (default 0s)',
    'duration',
  ),
  { name: 'no-healthcheck', kind: 'boolean', description: 'Disable any container-specified HEALTHCHECK' },
];

const DURATION_FLAGS = [
  ['health-interval', 'Interval'],
  ['health-timeout', 'Timeout'],
  ['health-start-period', 'StartPeriod'],
  ['health-start-interval', 'StartInterval'],
] as const;

/**
 * Config.Healthcheck from the flags, with Docker's client-side checks (exit 125): no flags leave
 * the image's healthcheck alone, `--no-healthcheck` disables it, and a flag left out keeps the
 * image's value for that field (0 / an empty test).
 */
export function healthcheckFromFlags(context: CommandContext): { Healthcheck?: HealthConfig } {
  const durations = Object.fromEntries(
    DURATION_FLAGS.map(([name, field]) => {
      const text = stringFlag(context, name);
      return [field, text === undefined ? 0 : parseFlagValue(name, text, parseGoDuration, 125)];
    }),
  ) as Record<(typeof DURATION_FLAGS)[number][1], number>;
  const retriesText = stringFlag(context, 'health-retries');
  const retries = retriesText === undefined ? 0 : parseFlagValue('health-retries', retriesText, integer, 125);
  const cmd = stringFlag(context, 'health-cmd') ?? '';
  const haveSettings = cmd !== '' || retries !== 0 || Object.values(durations).some((value) => value !== 0);
  if (booleanFlag(context, 'no-healthcheck')) {
    if (haveSettings) throw new OperationalError('--no-healthcheck conflicts with --health-* options', 125);
    return { Healthcheck: { Test: ['NONE'] } };
  }
  if (!haveSettings) return {};
  // Docker's order of checks, so the first complaint is the same.
  const negative = (name: string) => new OperationalError(`--${name} cannot be negative`, 125);
  if (durations.Interval < 0) throw negative('health-interval');
  if (durations.Timeout < 0) throw negative('health-timeout');
  if (retries < 0) throw negative('health-retries');
  if (durations.StartPeriod < 0) throw negative('health-start-period');
  if (durations.StartInterval < 0) throw negative('health-start-interval');
  return {
    Healthcheck: {
      Test: cmd === '' ? [] : ['CMD-SHELL', cmd],
      ...durations,
      Retries: retries,
    },
  };
}
