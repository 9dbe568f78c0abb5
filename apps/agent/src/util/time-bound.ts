import { StevedoreError } from '@stevedore/shared';

/** Timestamps compare as instants: RFC 3339 text with nanoseconds → nanoseconds since the epoch. */
export function toNanos(time: string): bigint {
  const match = /^(.*?)(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/.exec(time);
  if (!match) return BigInt(Date.parse(time)) * 1_000_000n;
  const seconds = BigInt(Date.parse(`${match[1]}${match[3]}`)) / 1000n;
  return seconds * 1_000_000_000n + BigInt((match[2] ?? '').padEnd(9, '0'));
}

/** `--since`/`--until` values: RFC 3339, Unix seconds (with fractions), or a duration like 10m. */
export function parseTimeBound(value: string, now = Date.now()): bigint {
  const duration = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(value);
  if (duration) {
    const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[duration[2] as 'ms' | 's' | 'm' | 'h'];
    return BigInt(Math.round(now - Number(duration[1]) * unit)) * 1_000_000n;
  }
  if (/^\d+(\.\d+)?$/.test(value)) {
    const [secs, frac = ''] = value.split('.');
    return BigInt(secs!) * 1_000_000_000n + BigInt(frac.padEnd(9, '0').slice(0, 9));
  }
  const parsed = Date.parse(value);
  if (Number.isNaN(parsed)) {
    // The caller's input (logs --since/--until, events): a client error, not an internal one.
    throw new StevedoreError(
      'INVALID_ARGUMENT',
      `invalid time "${value.slice(0, 100)}": use RFC 3339, Unix seconds or a duration such as 10m`,
    );
  }
  return toNanos(value);
}
