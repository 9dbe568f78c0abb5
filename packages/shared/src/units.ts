/**
 * Docker's unit rules for sizes and CPU counts, shared by the CLI, the agent and the dashboard's
 * forms so "512m" means the same everywhere.
 */

const BINARY_UNITS: Readonly<Record<string, number>> = {
  '': 1,
  k: 1024,
  m: 1024 ** 2,
  g: 1024 ** 3,
  t: 1024 ** 4,
  p: 1024 ** 5,
};

const SIZE = /^(\d+(?:\.\d+)?) ?([kmgtp]?)(?:i?b)?$/i;

/** `512m`, `1.5g`, `1024`, `2GiB` → bytes (binary multiples, like `docker run --memory`). */
export function parseByteSize(text: string): number {
  const match = SIZE.exec(text.trim());
  if (!match) {
    throw new RangeError(
      `invalid size "${text}": use a number with an optional unit b, k, m, g, t or p (e.g. 512m, 1.5g)`,
    );
  }
  const bytes = Math.floor(Number(match[1]) * BINARY_UNITS[match[2]!.toLowerCase()]!);
  if (!Number.isSafeInteger(bytes)) throw new RangeError(`invalid size "${text}": too large`);
  return bytes;
}

/** `0.5` → 500000000 nano-CPUs (`docker run --cpus`). */
export function parseCpus(text: string): number {
  if (!/^\d+(?:\.\d+)?$/.test(text.trim())) {
    throw new RangeError(`invalid CPU count "${text}": use a decimal number such as 0.5 or 2`);
  }
  const nano = Math.round(Number(text) * 1e9);
  if (nano <= 0) throw new RangeError(`invalid CPU count "${text}": must be greater than 0`);
  return nano;
}

/** `0-3,5` → [0, 1, 2, 3, 5]; the cpuset syntax of `--cpuset-cpus` and `--cpuset-mems`. */
export function parseCpuSet(text: string): number[] {
  const values = new Set<number>();
  for (const part of text.split(',')) {
    const range = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!range) {
      throw new RangeError(`invalid cpuset "${text}": use numbers and ranges such as 0-3,5`);
    }
    const from = Number(range[1]);
    const to = range[2] === undefined ? from : Number(range[2]);
    if (to < from) throw new RangeError(`invalid cpuset "${text}": range ${part} goes backwards`);
    if (to - from > 4096) throw new RangeError(`invalid cpuset "${text}": range ${part} is too wide`);
    for (let n = from; n <= to; n++) values.add(n);
  }
  return [...values].sort((a, b) => a - b);
}
