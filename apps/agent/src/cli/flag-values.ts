import { FLAG_ERROR_EXIT_CODE, OperationalError } from './errors.js';

/**
 * Parses one flag value; a failure becomes Docker's message, `invalid argument "V" for "--F"
 * flag: why`, and Docker's exit status for a flag it cannot parse (125).
 */
export function parseFlagValue<T>(
  flag: string,
  value: string,
  parse: (text: string) => T,
  exitCode = FLAG_ERROR_EXIT_CODE,
): T {
  try {
    return parse(value);
  } catch (error) {
    throw flagValueError(flag, value, (error as Error).message, exitCode);
  }
}

export const flagValueError = (flag: string, value: string, why: string, exitCode = FLAG_ERROR_EXIT_CODE) =>
  new OperationalError(`invalid argument "${value}" for "--${flag}" flag: ${why}`, exitCode);

export const integer = (text: string): number => {
  if (!/^-?\d+$/.test(text)) throw new Error('must be an integer');
  return Number(text);
};

/** `KEY=VALUE` flags (`--label`, `--log-opt`) as a map; a bare `KEY` has an empty value. */
export function keyValueMap(values: readonly string[]): Record<string, string> {
  return Object.fromEntries(
    values.map((v) => [v.split('=', 1)[0]!, v.includes('=') ? v.slice(v.indexOf('=') + 1) : '']),
  );
}

/** `-e KEY=VALUE` as given; a bare `-e KEY` takes KEY's value from this environment, or is dropped (Docker's rule). */
export function envEntry(entry: string, env: NodeJS.ProcessEnv): string[] {
  if (entry.includes('=')) return [entry];
  return env[entry] !== undefined ? [`${entry}=${env[entry]}`] : [];
}
