import { formatGoDuration, type HealthConfig, parseGoDuration } from '@stevedore/shared';
import { z } from 'zod';

/**
 * The run form's healthcheck fields (`--health-*`, `--no-healthcheck`): typed as text, turned
 * into Config.Healthcheck with the CLI's rules (a field left empty keeps the image's value).
 */
export const HEALTH_FORM_SHAPE = {
  healthCmd: z.string(),
  healthInterval: z.string(),
  healthTimeout: z.string(),
  healthRetries: z.string(),
  healthStartPeriod: z.string(),
  healthStartInterval: z.string(),
  noHealthcheck: z.boolean(),
};
type HealthFormValues = { [K in keyof typeof HEALTH_FORM_SHAPE]: z.infer<(typeof HEALTH_FORM_SHAPE)[K]> };
export type HealthFormField = keyof HealthFormValues;

export const EMPTY_HEALTH_FORM: HealthFormValues = {
  healthCmd: '',
  healthInterval: '',
  healthTimeout: '',
  healthRetries: '',
  healthStartPeriod: '',
  healthStartInterval: '',
  noHealthcheck: false,
};

export const HEALTH_FIELD_LABELS: Record<HealthFormField, string> = {
  healthCmd: 'Health command',
  healthInterval: 'Health interval',
  healthTimeout: 'Health timeout',
  healthRetries: 'Health retries',
  healthStartPeriod: 'Health start period',
  healthStartInterval: 'Health start interval',
  noHealthcheck: 'Healthcheck disabled',
};

const DURATIONS = [
  ['healthInterval', 'Interval', '--health-interval'],
  ['healthTimeout', 'Timeout', '--health-timeout'],
  ['healthStartPeriod', 'StartPeriod', '--health-start-period'],
  ['healthStartInterval', 'StartInterval', '--health-start-interval'],
] as const;

/** Config.Healthcheck of the form (absent when no health field is set), with the CLI's checks. */
export function healthcheckFromForm(
  values: HealthFormValues,
  fail: (path: HealthFormField, message: string) => void,
): { Healthcheck?: HealthConfig } {
  const durations: Record<string, number> = {};
  for (const [field, key, flag] of DURATIONS) {
    const text = values[field].trim();
    let nanos = 0;
    if (text !== '') {
      try {
        nanos = parseGoDuration(text);
      } catch (error) {
        fail(
          field,
          `${(error as Error).message.replace(/^time: /, '')}: use a number with a unit, such as 30s or 1m30s`,
        );
      }
    }
    if (nanos < 0) fail(field, `${flag} cannot be negative`);
    // Said once: the engine's schema would refuse a negative again, in its own words.
    durations[key] = Math.max(0, nanos);
  }
  const retriesText = values.healthRetries.trim();
  let retries = 0;
  if (retriesText !== '') {
    if (/^-?\d+$/.test(retriesText)) retries = Number(retriesText);
    else fail('healthRetries', `"${retriesText}" is not a whole number`);
  }
  if (retries < 0) {
    fail('healthRetries', '--health-retries cannot be negative');
    retries = 0;
  }
  const cmd = values.healthCmd.trim();
  const any = cmd !== '' || retries !== 0 || Object.values(durations).some((value) => value !== 0);
  if (values.noHealthcheck) {
    if (any) fail('noHealthcheck', 'a disabled healthcheck takes no other health settings: clear them first');
    return { Healthcheck: { Test: ['NONE'] } };
  }
  if (!any) return {};
  return { Healthcheck: { Test: cmd === '' ? [] : ['CMD-SHELL', cmd], ...durations, Retries: retries } };
}

/** The form's health fields for a container's Config.Healthcheck (duplicate and edit). */
export function healthToForm(config: HealthConfig | undefined): HealthFormValues {
  if (!config) return EMPTY_HEALTH_FORM;
  const test = config.Test ?? [];
  const duration = (nanos: number | undefined) => (nanos ? formatGoDuration(nanos) : '');
  return {
    healthCmd:
      test[0] === 'CMD-SHELL'
        ? (test[1] ?? '')
        : test[0] === 'CMD'
          ? test
              .slice(1)
              .map((word) => (/^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`))
              .join(' ')
          : '',
    healthInterval: duration(config.Interval),
    healthTimeout: duration(config.Timeout),
    healthRetries: config.Retries ? String(config.Retries) : '',
    healthStartPeriod: duration(config.StartPeriod),
    healthStartInterval: duration(config.StartInterval),
    noHealthcheck: test[0] === 'NONE',
  };
}

/** The form field an engine-schema issue under Config.Healthcheck belongs to. */
export function healthFieldOf(key: string | undefined): HealthFormField {
  switch (key) {
    case 'Interval':
      return 'healthInterval';
    case 'Timeout':
      return 'healthTimeout';
    case 'StartPeriod':
      return 'healthStartPeriod';
    case 'StartInterval':
      return 'healthStartInterval';
    case 'Retries':
      return 'healthRetries';
    default:
      return 'healthCmd';
  }
}
