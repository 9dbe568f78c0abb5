/** Where a login goes when `next` is missing or not a path of this site. */
export const DEFAULT_AFTER_LOGIN = '/hosts';

/**
 * The `next` parameter of the login page as a path on this origin, or the default. Browsers treat
 * `//evil.example`, `/\evil.example` (backslash as slash) and tab/newline-broken variants of them as
 * other hosts, so only a path that resolves to this origin, and stays a plain path once written
 * back, is used. Percent-encoded variants stay encoded in the path and so stay on this origin.
 */
export function safeRedirectPath(next: string | null | undefined): string {
  if (!next || next.length > 2048) return DEFAULT_AFTER_LOGIN;
  // Control characters (which URL parsers drop, joining `/` + TAB + `/x` into `//x`) and backslashes.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
  if (!next.startsWith('/') || /[\u0000-\u001f\u007f\\]/.test(next)) return DEFAULT_AFTER_LOGIN;
  if (next.startsWith('//')) return DEFAULT_AFTER_LOGIN;
  const base = 'http://origin.invalid';
  let resolved: URL;
  try {
    resolved = new URL(next, base);
  } catch {
    return DEFAULT_AFTER_LOGIN;
  }
  if (resolved.origin !== base) return DEFAULT_AFTER_LOGIN;
  const path = `${resolved.pathname}${resolved.search}${resolved.hash}`;
  // After normalisation (`/./x`, `/%2e%2e/`), the path must still not start with `//`.
  return path.startsWith('//') ? DEFAULT_AFTER_LOGIN : path;
}
