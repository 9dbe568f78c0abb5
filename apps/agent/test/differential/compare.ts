/**
 * How one command's results from Docker and from Stevedore are compared: both outputs normalized
 * (the CLI's name, IDs, times, durations, sizes), then exit codes, stdout (as text, as a table or
 * as JSON key sets) and stderr. Pure functions: unit-tested in compare.test.ts.
 */
import type { ExitResult } from '../harness/run-to-exit.js';

export type StdoutMode =
  /** Normalized text equal. */
  | 'exact'
  /** A table: header cells equal, the same rows, each with the same normalized cells. */
  | 'table'
  /** JSON (inspect, `--format '{{json .}}'`): the same key paths with the same value types. */
  | 'keys'
  /** Not compared (the step sets something up; its own output is compared elsewhere). */
  | 'ignore';

export interface Difference {
  /** The case and step: "run-detached#2". */
  where: string;
  aspect: 'exit' | 'stdout' | 'stderr' | 'keys';
  /** One line: what differs ("docker 125, stevedore 1", "only in docker: .HostConfig.Dns"). */
  detail: string;
}

const CLI_NAME = /\b(docker|stevedore)\b(?![.-]io)/g;

/** Rewrites what legitimately differs between two engines running the same commands. */
export function normalize(text: string): string {
  return (
    text
      .replace(CLI_NAME, 'CLI')
      .replace(/sha256:[0-9a-f]{64}/g, 'sha256:<ID>')
      .replace(/\b[0-9a-f]{64}\b/g, '<ID>')
      .replace(/\b[0-9a-f]{12}\b/g, '<ID>')
      // RFC 3339 (inspect, logs -t, events) and Go's default time format (ps/images CreatedAt).
      .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)/g, '<TIME>')
      .replace(/\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)? [+-]\d{4} \w+/g, '<TIME>')
      .replace(
        /\b(Less than a second|About a minute|About an hour|\d+ (seconds?|minutes?|hours?|days?|weeks?|months?|years?))( ago)?/g,
        '<DURATION>$3',
      )
      .replace(/\b\d+(\.\d+)?\s?(B|kB|KB|MB|GB|KiB|MiB|GiB)\b/g, '<SIZE>')
      .replace(/[ \t]+$/gm, '')
  );
}

/** Table cells: a run of two or more spaces (or a tab) separates columns, as both CLIs pad. */
export function tableRows(text: string): string[][] {
  return normalize(text)
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => line.trim().split(/ {2,}|\t/));
}

type ValueType = 'string' | 'number' | 'boolean' | 'null' | 'object' | 'array';

/** Every key path of a JSON document with its value's type; array items share the path `[]`. */
export function keyPaths(value: unknown, path = '', into = new Map<string, ValueType>()) {
  const type: ValueType =
    value === null ? 'null' : Array.isArray(value) ? 'array' : (typeof value as 'string' | 'object');
  if (path !== '') into.set(path, type);
  if (Array.isArray(value)) for (const item of value) keyPaths(item, `${path}[]`, into);
  else if (type === 'object')
    for (const [key, item] of Object.entries(value as Record<string, unknown>))
      keyPaths(item, `${path}.${key}`, into);
  return into;
}

function compareKeys(where: string, docker: string, stevedore: string): Difference[] {
  const parse = (text: string) => {
    try {
      return { value: JSON.parse(text) as unknown };
    } catch (error) {
      return { error: (error as Error).message };
    }
  };
  const ours = parse(stevedore);
  const theirs = parse(docker);
  if ('error' in theirs)
    return [{ where, aspect: 'stdout', detail: `docker's output is not JSON: ${theirs.error}` }];
  if ('error' in ours)
    return [{ where, aspect: 'stdout', detail: `stevedore's output is not JSON: ${ours.error}` }];
  const dockerKeys = keyPaths(theirs.value);
  const stevedoreKeys = keyPaths(ours.value);
  const differences: Difference[] = [];
  for (const [path, type] of dockerKeys) {
    const their = stevedoreKeys.get(path);
    if (their === undefined) differences.push({ where, aspect: 'keys', detail: `only in docker: ${path}` });
    else if (their !== type)
      differences.push({
        where,
        aspect: 'keys',
        detail: `type of ${path}: docker ${type}, stevedore ${their}`,
      });
  }
  for (const path of stevedoreKeys.keys())
    if (!dockerKeys.has(path))
      differences.push({ where, aspect: 'keys', detail: `only in stevedore: ${path}` });
  return differences;
}

function compareTable(where: string, docker: string, stevedore: string): Difference[] {
  const theirs = tableRows(docker);
  const ours = tableRows(stevedore);
  const differences: Difference[] = [];
  const rows = Math.max(theirs.length, ours.length);
  for (let row = 0; row < rows; row++) {
    const a = JSON.stringify(theirs[row] ?? null);
    const b = JSON.stringify(ours[row] ?? null);
    if (a !== b)
      differences.push({
        where,
        aspect: 'stdout',
        detail: `${row === 0 ? 'header' : `row ${row}`}: docker ${a}, stevedore ${b}`,
      });
  }
  return differences;
}

const oneLine = (text: string) => JSON.stringify(text.length > 400 ? `${text.slice(0, 400)}…` : text);

/** Every difference between the two results of one step. */
export function compareResults(
  where: string,
  mode: StdoutMode,
  docker: ExitResult,
  stevedore: ExitResult,
  compareStderr = true,
): Difference[] {
  const differences: Difference[] = [];
  if (docker.code !== stevedore.code)
    differences.push({ where, aspect: 'exit', detail: `docker ${docker.code}, stevedore ${stevedore.code}` });
  if (mode === 'keys' && docker.code === 0 && stevedore.code === 0)
    differences.push(...compareKeys(where, docker.stdout, stevedore.stdout));
  else if (mode === 'table') differences.push(...compareTable(where, docker.stdout, stevedore.stdout));
  else if (mode === 'exact' && normalize(docker.stdout) !== normalize(stevedore.stdout))
    differences.push({
      where,
      aspect: 'stdout',
      detail: `docker ${oneLine(normalize(docker.stdout))}, stevedore ${oneLine(normalize(stevedore.stdout))}`,
    });
  if (compareStderr && normalize(docker.stderr) !== normalize(stevedore.stderr))
    differences.push({
      where,
      aspect: 'stderr',
      detail: `docker ${oneLine(normalize(docker.stderr))}, stevedore ${oneLine(normalize(stevedore.stderr))}`,
    });
  return differences;
}
