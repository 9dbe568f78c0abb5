import type { IncomingMessage } from 'node:http';

/** Paths anyone may load: the login page, static assets, the favicon and the API (which checks sessions itself). */
const PUBLIC_PREFIXES = ['/login', '/_next/', '/api/trpc', '/api/health', '/favicon.ico', '/icon.svg'];

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

/** Whether to believe X-Forwarded-For / X-Forwarded-Proto (only behind a reverse proxy that sets them). */
export interface ProxyTrust {
  trustProxy: boolean;
}

/** The last value of a forwarded header: the one the trusted proxy itself added. */
function lastForwarded(value: string | string[] | undefined): string | null {
  const joined = Array.isArray(value) ? value.join(',') : value;
  const last = joined?.split(',').at(-1)?.trim();
  return last ? last : null;
}

/**
 * The client's address: the peer's, or behind a trusted proxy the address that proxy appended to
 * X-Forwarded-For (earlier entries are whatever the client claimed, so they are ignored).
 */
export function clientIp(req: IncomingMessage, { trustProxy }: ProxyTrust = { trustProxy: false }): string {
  const forwarded = trustProxy ? lastForwarded(req.headers['x-forwarded-for']) : null;
  return forwarded ?? req.socket.remoteAddress ?? 'unknown';
}

/**
 * Whether the browser reached the dashboard over HTTPS: TLS on this socket, or a trusted proxy that
 * says so with X-Forwarded-Proto. Session cookies then carry `Secure`.
 */
export function isHttpsRequest(req: IncomingMessage, { trustProxy }: ProxyTrust): boolean {
  if ((req.socket as { encrypted?: boolean }).encrypted) return true;
  return trustProxy && lastForwarded(req.headers['x-forwarded-proto'])?.toLowerCase() === 'https';
}
