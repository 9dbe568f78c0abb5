import { z } from 'zod';
import { StevedoreError } from './errors.js';

/** The values `dangling=` takes (Docker accepts 1 and 0 too). */
const BOOLEAN_VALUES = ['true', 'false', '1', '0'] as const;

/**
 * Docker's `--filter key=value` for list commands: the keys a list accepts, and the values of the
 * keys that take only some (`dangling` always: true or false), are checked at the API boundary;
 * several values of one key match any of them, different keys must all match.
 */
export function listFiltersSchema<const Key extends string>(
  keys: readonly Key[],
  what: string,
  values: Partial<Record<Key, readonly string[]>> = {},
) {
  const pattern = new RegExp(`^(${keys.join('|')})=`);
  const allowed = new Map<string, readonly string[]>(Object.entries(values) as [string, readonly string[]][]);
  if (keys.includes('dangling' as Key)) allowed.set('dangling', BOOLEAN_VALUES);
  return z
    .array(
      z
        .string()
        .max(4096)
        .regex(pattern, {
          message: `Invalid filter: ${what} filters are ${keys.map((key) => `${key}=`).join(', ')}`,
        })
        .superRefine((filter, ctx) => {
          const at = filter.indexOf('=');
          const choices = allowed.get(filter.slice(0, at));
          if (choices && !choices.includes(filter.slice(at + 1))) {
            ctx.addIssue({
              code: 'custom',
              message: `Invalid filter '${filter}': ${filter.slice(0, at)} is one of ${choices.join(', ')}`,
            });
          }
        }),
    )
    .max(64)
    .default([]);
}

/** Filters by key, in the order given: `["label=a", "label=b=1", "dangling=true"]` → label: [a, b=1], dangling: [true]. */
export function groupFilters(filters: readonly string[]): Map<string, string[]> {
  const grouped = new Map<string, string[]>();
  for (const filter of filters) {
    const at = filter.indexOf('=');
    const key = filter.slice(0, at);
    grouped.set(key, [...(grouped.get(key) ?? []), filter.slice(at + 1)]);
  }
  return grouped;
}

/** True when, for every key, one of its values matches. */
export function matchesFilters(
  grouped: ReadonlyMap<string, readonly string[]>,
  matches: (key: string, value: string) => boolean,
): boolean {
  for (const [key, values] of grouped) {
    if (!values.some((value) => matches(key, value))) return false;
  }
  return true;
}

/** `label=KEY` (present) or `label=KEY=VALUE` (equal). */
export function labelMatches(labels: Readonly<Record<string, string>>, spec: string): boolean {
  const at = spec.indexOf('=');
  return at < 0 ? spec in labels : labels[spec.slice(0, at)] === spec.slice(at + 1);
}

/** `dangling=true|false` (also 1 and 0, as Docker accepts). */
export function booleanFilter(key: string, value: string): boolean {
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  throw new StevedoreError('INVALID_ARGUMENT', `Invalid filter '${key}=${value}': ${key} is true or false`, {
    filter: `${key}=${value}`,
  });
}

/** Docker's reference filter: a shell-style pattern (`*`, `?`, `[…]`) on a familiar name, `/` never matched by a wildcard. */
export function globMatches(pattern: string, text: string): boolean {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i]!;
    if (char === '*') source += '[^/]*';
    else if (char === '?') source += '[^/]';
    else if (char === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end < 0) source += '\\[';
      else {
        source += `[${pattern
          .slice(i + 1, end)
          .replace(/\\/g, '\\\\')
          .replace(/^!/, '^')}]`;
        i = end;
      }
    } else source += char.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`).test(text);
}

export const IMAGE_FILTER_KEYS = ['dangling', 'label', 'reference', 'before', 'since'] as const;
export const ImageListInputSchema = z
  .object({ filters: listFiltersSchema(IMAGE_FILTER_KEYS, 'image') })
  .default({ filters: [] });

export const VOLUME_FILTER_KEYS = ['dangling', 'driver', 'label', 'name'] as const;
export const VolumeListInputSchema = z
  .object({ filters: listFiltersSchema(VOLUME_FILTER_KEYS, 'volume') })
  .default({ filters: [] });

export const NETWORK_FILTER_KEYS = ['dangling', 'driver', 'id', 'label', 'name', 'scope', 'type'] as const;
export const NetworkListInputSchema = z
  .object({ filters: listFiltersSchema(NETWORK_FILTER_KEYS, 'network', { type: ['builtin', 'custom'] }) })
  .default({ filters: [] });
