import { FLAG_ERROR_EXIT_CODE, FlagValueError } from './errors.js';

/**
 * Parses one flag value; a failure becomes Docker's message, `invalid argument "V" for "-F,
 * --FLAG" flag: why` and its help hint (FlagValueError), and Docker's exit status for a flag it
 * cannot parse (125).
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
  new FlagValueError(flag, value, why, exitCode);

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
