import type { RegistryEndpointCheck } from '@stevedore/shared';
import { request } from 'undici';
import { Dispatchers } from './dispatchers.js';
import { type EndpointConfig, endpointsFor } from './endpoints.js';

const TLS_FAILURE = /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_VERIFY|HOSTNAME_MISMATCH|EPROTO/;

/**
 * `registry.check`: each endpoint a pull of `domain` would try (mirrors in order, then the
 * registry), probed with `GET /v2/`: reachable or not, how fast, over verified TLS or plain HTTP,
 * and which authentication it asks for. Endpoints are probed in parallel.
 */
export async function checkRegistry(
  domain: string,
  config: EndpointConfig,
  options: { mirrorsOnly?: boolean; timeoutMs?: number } = {},
): Promise<RegistryEndpointCheck[]> {
  const timeoutMs = options.timeoutMs ?? 5000;
  const endpoints = endpointsFor(domain, config).filter(
    (endpoint) => !options.mirrorsOnly || endpoint.mirror,
  );
  const dispatchers = new Dispatchers();
  const checks = Promise.all(
    endpoints.map(async ({ tls, ...endpoint }): Promise<RegistryEndpointCheck> => {
      const plain = endpoint.url.startsWith('http://');
      const started = performance.now();
      try {
        const response = await request(`${endpoint.url}/v2/`, {
          method: 'GET',
          dispatcher: dispatchers.for(tls),
          headersTimeout: timeoutMs,
          bodyTimeout: timeoutMs,
          signal: AbortSignal.timeout(timeoutMs),
        });
        await response.body.dump();
        const challenge = String(response.headers['www-authenticate'] ?? '').toLowerCase();
        const auth = challenge.startsWith('bearer')
          ? 'bearer'
          : challenge.startsWith('basic')
            ? 'basic'
            : 'none';
        const ok = response.statusCode === 200 || response.statusCode === 401;
        return {
          ...endpoint,
          reachable: ok,
          status: response.statusCode,
          latencyMs: Math.round(performance.now() - started),
          tls: plain ? 'plain' : 'verified',
          auth: ok ? auth : null,
          error: ok ? null : `GET /v2/ answered ${response.statusCode}: not a registry API v2 endpoint`,
        };
      } catch (error) {
        const cause = (error as { cause?: { code?: string; message?: string } }).cause;
        const code = (error as { code?: string }).code ?? cause?.code ?? '';
        const message = cause?.message ?? (error as Error).message;
        return {
          ...endpoint,
          reachable: false,
          status: null,
          latencyMs: null,
          tls: !plain && TLS_FAILURE.test(`${code} ${message}`) ? 'failed' : plain ? 'plain' : 'verified',
          auth: null,
          error: `${code ? `${code}: ` : ''}${message}`,
        };
      }
    }),
  );
  try {
    return await checks;
  } finally {
    await dispatchers.close();
  }
}
