import { StevedoreError } from '@stevedore/shared';

/**
 * Quoting for every value the installer writes on a remote machine: shell words, the agent's
 * environment file (read by systemd's EnvironmentFile= and sourced by sh) and systemd unit lines.
 * Values none of them can carry faithfully (control characters such as a newline) are refused.
 */

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f]/;

/** Refuses a value with a control character (newline, tab, NUL, …): no file format here can hold it. */
export function assertRepresentable(what: string, value: string): string {
  if (CONTROL.test(value)) {
    throw new StevedoreError(
      'INVALID_ARGUMENT',
      `${what} ${JSON.stringify(value)} contains a control character (such as a newline); it cannot be written safely to the agent's service files`,
      { what },
    );
  }
  return value;
}

/** Quotes one word for a POSIX shell. */
export const shellQuote = (word: string): string => `'${word.replaceAll("'", `'\\''`)}'`;

/**
 * `KEY='value'` for a file that systemd's EnvironmentFile= reads and `sh` sources: single quotes
 * keep `$`, backquotes, spaces and double quotes literal for both, and `'\''` (close, escaped
 * quote, reopen) is read the same way by both.
 */
export function envFileLine(key: string, value: string): string {
  if (!/^[A-Z_][A-Z0-9_]*$/.test(key)) throw new Error(`invalid environment variable name ${key}`);
  return `${key}=${shellQuote(assertRepresentable(key, value))}`;
}

/**
 * Undoes `envFileLine`'s quoting of a value read back from the file; null for anything else. A bare
 * value (files written before values were quoted) is taken as it is only when it holds no quoting
 * or expansion characters.
 */
export function parseEnvFileValue(raw: string): string | null {
  if (!raw.startsWith("'")) return /^[A-Za-z0-9_./:@%+,=-]*$/.test(raw) ? raw : null;
  let value = '';
  let rest = raw;
  while (rest.length > 0) {
    const quoted = /^'([^']*)'/.exec(rest);
    if (!quoted) return null;
    value += quoted[1];
    rest = rest.slice(quoted[0].length);
    if (rest.startsWith("\\'")) {
      value += "'";
      rest = rest.slice(2);
    } else if (rest.length > 0) {
      return null;
    }
  }
  return value;
}

/** `%` starts a systemd specifier everywhere in a unit file; `%%` is a literal one. */
const escapeSpecifiers = (value: string) => value.replaceAll('%', '%%');

/**
 * The program of a unit's Exec*= line: double-quoted (spaces), `%` doubled. systemd takes `$`
 * literally there and refuses a program path with quotes or backslashes, so those are refused here.
 */
export function systemdExecutable(what: string, path: string): string {
  assertRepresentable(what, path);
  if (!path.startsWith('/') || /['"\\]/.test(path)) {
    throw new StevedoreError(
      'INVALID_ARGUMENT',
      `${what} ${JSON.stringify(path)} must be an absolute path without quotes or backslashes (systemd cannot start a program from such a path)`,
      { what },
    );
  }
  return `"${escapeSpecifiers(path)}"`;
}

/**
 * One argument of a unit's Exec*= line: double-quoted, with `\` and `"` backslash-escaped, `$`
 * doubled (else systemd expands it) and `%` doubled (else it is a specifier).
 */
export function systemdExecArg(what: string, value: string): string {
  const escaped = assertRepresentable(what, value)
    .replaceAll('\\', '\\\\')
    .replaceAll('"', '\\"')
    .replaceAll('$', '$$$$');
  return `"${escapeSpecifiers(escaped)}"`;
}

/**
 * A path as the whole value of a unit setting that takes one path (EnvironmentFile=): systemd
 * takes the rest of the line as the path, so only specifiers are escaped; a path that ends in
 * whitespace or a backslash (trimmed, or a line continuation) cannot be written.
 */
export function systemdPathSetting(what: string, path: string): string {
  assertRepresentable(what, path);
  if (!path.startsWith('/') || /[\s\\]$/.test(path)) {
    throw new StevedoreError(
      'INVALID_ARGUMENT',
      `${what} ${JSON.stringify(path)} must be an absolute path that does not end in a space or a backslash`,
      { what },
    );
  }
  return escapeSpecifiers(path);
}
