import { StevedoreError } from '@stevedore/shared';
import type { Dispatcher } from 'undici';
import { request } from 'undici';
import { REGISTRY_LIMITS, readBoundedJson } from './bounded-body.js';
import type { RegistryCredential } from './credentials.js';

export interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

/** Parses `WWW-Authenticate: Bearer realm="…",service="…",scope="…"` (quoted or token values). */
export function parseChallenge(header: string): Challenge | null {
  const match = /^\s*(\w+)\s*(.*)$/.exec(header);
  if (!match?.[1]) return null;
  const params: Record<string, string> = {};
  for (const part of (match[2] ?? '').matchAll(/(\w+)=(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))/g)) {
    params[(part[1] ?? '').toLowerCase()] = part[2] ?? part[3] ?? '';
  }
  return { scheme: match[1].toLowerCase(), params };
}

interface CachedToken {
  token: string;
  expiresAt: number;
}

/**
 * Answers registry auth challenges: Bearer tokens from the realm (Docker Hub's flow), cached per
 * realm, service and scope until they expire.
 */
export class TokenCache {
  private readonly tokens = new Map<string, CachedToken>();

  constructor(private readonly dispatcher: Dispatcher) {}

  /** The Authorization header for a request that was answered with this challenge. */
  async authorize(
    challenge: Challenge,
    scope: string,
    credential: RegistryCredential | null,
    registry: string,
    /** The registry endpoint's agent (its certs.d TLS), for a realm on the same host. */
    dispatcher: Dispatcher = this.dispatcher,
  ): Promise<string> {
    const basic = credential
      ? `Basic ${Buffer.from(`${credential.username}:${credential.password}`).toString('base64')}`
      : null;
    if (challenge.scheme === 'basic') {
      if (!basic) {
        throw new StevedoreError(
          'UNAUTHENTICATED',
          `unauthorized: authentication required; run \`stevedore login ${registry}\``,
          { registry },
        );
      }
      return basic;
    }
    if (challenge.scheme !== 'bearer') {
      throw new StevedoreError(
        'UNAUTHENTICATED',
        `the registry asks for unsupported "${challenge.scheme}" authentication`,
      );
    }
    const realm = challenge.params.realm;
    if (!realm)
      throw new StevedoreError('UNAVAILABLE', 'the registry sent a Bearer challenge without a realm');
    const service = challenge.params.service ?? '';
    const wanted = challenge.params.scope ?? scope;
    const key = `${realm}|${service}|${wanted}|${credential?.username ?? ''}`;
    const cached = this.tokens.get(key);
    if (cached && cached.expiresAt > Date.now()) return `Bearer ${cached.token}`;

    const url = new URL(realm);
    if (service) url.searchParams.set('service', service);
    url.searchParams.set('scope', wanted);
    const response = await request(url, {
      dispatcher,
      headers: basic ? { authorization: basic } : {},
    });
    if (response.statusCode !== 200) {
      await response.body.dump();
      throw new StevedoreError(
        'UNAUTHENTICATED',
        `the token service ${url.origin} answered ${response.statusCode}`,
        {
          realm,
        },
      );
    }
    const body = (await readBoundedJson(response, {
      what: `a token for ${registry}`,
      from: url.origin,
      limit: REGISTRY_LIMITS.token,
      context: { realm, registry },
    })) as { token?: unknown; access_token?: unknown; expires_in?: unknown } | null;
    const token = [body?.token, body?.access_token].find(
      (t): t is string => typeof t === 'string' && t !== '',
    );
    if (!token)
      throw new StevedoreError('UNAUTHENTICATED', `the token service ${url.origin} sent no token`, { realm });
    // Docker's default lifetime is 60 s; renew a little early.
    const expiresIn =
      typeof body?.expires_in === 'number' && Number.isFinite(body.expires_in) ? body.expires_in : 60;
    const lifetimeMs = Math.max(10, expiresIn - 5) * 1000;
    this.tokens.set(key, { token, expiresAt: Date.now() + lifetimeMs });
    return `Bearer ${token}`;
  }
}
