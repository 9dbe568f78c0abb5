import type { IncomingMessage } from 'node:http';

/** Paths anyone may load: the login page, static assets and the API (which checks sessions itself). */
const PUBLIC_PREFIXES = ['/login', '/_next/', '/api/trpc', '/api/health', '/favicon.ico'];

export const isPublicPath = (pathname: string): boolean =>
  PUBLIC_PREFIXES.some(
    (prefix) =>
      pathname === prefix ||
      pathname.startsWith(prefix.endsWith('/') ? prefix : `${prefix}/`) ||
      pathname.startsWith(`${prefix}?`),
  );

/**
 * CSRF defence in depth besides SameSite=Strict cookies: a state-changing request must come from
 * this origin (browsers always send Origin on cross-site POSTs).
 */
export function isCrossSiteWrite(req: IncomingMessage): boolean {
  if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS') return false;
  const fetchSite = req.headers['sec-fetch-site'];
  if (fetchSite === 'cross-site' || fetchSite === 'same-site') return true;
  const origin = req.headers.origin;
  if (!origin) return false;
  try {
    return new URL(origin).host !== req.headers.host;
  } catch {
    return true;
  }
}

export function clientIp(req: IncomingMessage): string {
  return req.socket.remoteAddress ?? 'unknown';
}
