import { createHash, randomBytes } from 'node:crypto';

export const SESSION_COOKIE = 'stevedore_session';
export const SESSION_TTL_MS = 7 * 24 * 60 * 60 * 1000;

/** A new random session token; only its hash is ever stored. */
export const newSessionToken = (): string => randomBytes(32).toString('base64url');
export const hashSessionToken = (token: string): string => createHash('sha256').update(token).digest('hex');

export function sessionCookie(token: string, options: { secure: boolean; maxAgeMs: number }): string {
  const parts = [
    `${SESSION_COOKIE}=${token}`,
    'Path=/',
    'HttpOnly',
    // Strict: a session cookie never rides on a request another site started (CSRF).
    'SameSite=Strict',
    `Max-Age=${Math.floor(options.maxAgeMs / 1000)}`,
  ];
  if (options.secure) parts.push('Secure');
  return parts.join('; ');
}

export const clearedSessionCookie = (secure: boolean): string => sessionCookie('', { secure, maxAgeMs: 0 });

export function readSessionCookie(cookieHeader: string | undefined): string | null {
  if (!cookieHeader) return null;
  for (const part of cookieHeader.split(';')) {
    const [name, ...rest] = part.trim().split('=');
    if (name === SESSION_COOKIE) {
      const value = rest.join('=');
      return /^[A-Za-z0-9_-]{43}$/.test(value) ? value : null;
    }
  }
  return null;
}
