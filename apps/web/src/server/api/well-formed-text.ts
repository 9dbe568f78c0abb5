/** A high surrogate not followed by a low one, or a low one not preceded by a high one. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const MAX_DEPTH = 32;

/**
 * The path of the first string in `value` that is not well-formed Unicode text (a lone surrogate,
 * which JSON's `\ud800` escape can carry but no database or agent can store), or null.
 */
export function malformedTextPath(value: unknown, path = 'input', depth = 0): string | null {
  if (typeof value === 'string') return LONE_SURROGATE.test(value) ? path : null;
  if (value === null || typeof value !== 'object' || depth >= MAX_DEPTH) return null;
  const entries = Array.isArray(value)
    ? value.map((item, i) => [String(i), item] as const)
    : Object.entries(value);
  for (const [key, item] of entries) {
    if (LONE_SURROGATE.test(key)) return `${path}.${key}`;
    const found = malformedTextPath(item, `${path}.${key}`, depth + 1);
    if (found) return found;
  }
  return null;
}
