import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import {
  DescriptorSchema,
  type ImageIndex,
  ImageIndexSchema,
  type ImageManifest,
  ImageManifestSchema,
  type ImageReference,
  MediaTypes,
  StevedoreError,
} from '@stevedore/shared';
import { type Dispatcher, request } from 'undici';
import { parseChallenge, TokenCache } from './auth.js';
import { REGISTRY_LIMITS, readBounded, readBoundedJson, readErrorDetail } from './bounded-body.js';
import type { RegistryCredential } from './credentials.js';
import { Dispatchers } from './dispatchers.js';
import { type EndpointConfig, endpointsFor, type RegistryEndpoint } from './endpoints.js';

const MANIFEST_ACCEPT = [
  MediaTypes.ociIndex,
  MediaTypes.dockerManifestList,
  MediaTypes.ociManifest,
  MediaTypes.dockerManifest,
].join(', ');
const RETRIES = 2;

export type FetchedManifest =
  | {
      kind: 'index';
      index: ImageIndex;
      digest: string;
      mediaType: string;
      bytes: Buffer;
      endpoint: RegistryEndpoint;
    }
  | {
      kind: 'manifest';
      manifest: ImageManifest;
      digest: string;
      mediaType: string;
      bytes: Buffer;
      endpoint: RegistryEndpoint;
    };

export interface BlobStream {
  stream: Readable;
  size: number | null;
  endpoint: RegistryEndpoint;
}

/**
 * Registry HTTP API v2: manifests (verified against their digest) and blob streams, trying mirrors
 * in order and then the registry itself, answering Bearer challenges, retrying transient failures.
 */
export class RegistryClient {
  private readonly dispatchers = new Dispatchers();
  /** Authorization that worked for a push scope, reused for the requests that follow. */
  private readonly pushAuthorization = new Map<string, string>();
  private readonly tokens: TokenCache;

  constructor(
    private readonly config: () => EndpointConfig,
    private readonly credentials: (domain: string) => Promise<RegistryCredential | null> = async () => null,
  ) {
    this.tokens = new TokenCache(this.dispatchers.for());
  }

  async getManifest(ref: ImageReference): Promise<FetchedManifest> {
    const reference = ref.digest ?? ref.tag ?? 'latest';
    return this.tryEndpoints(ref, async (endpoint) => {
      const response = await this.get(endpoint, ref, `manifests/${reference}`, { accept: MANIFEST_ACCEPT });
      const bytes = await readBounded(response, {
        what: `the manifest of ${ref.path}:${reference}`,
        from: endpoint.url,
        limit: REGISTRY_LIMITS.manifest,
        context: { registry: endpoint.url, repository: ref.path },
      });
      const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
      const claimed = ref.digest ?? headerOf(response, 'docker-content-digest');
      if (claimed && claimed !== digest) {
        throw new StevedoreError(
          'INVALID_ARGUMENT',
          `manifest digest mismatch for ${ref.path}:${reference}: expected ${claimed}, got ${digest}`,
          { digest: claimed, actual: digest, endpoint: endpoint.url },
        );
      }
      const parsed = parseManifestJson(bytes, endpoint, ref, reference);
      const mediaType = parsed.mediaType ?? headerOf(response, 'content-type') ?? MediaTypes.dockerManifest;
      if (Array.isArray(parsed.manifests)) {
        const index = ImageIndexSchema.safeParse(parsed);
        if (!index.success) throw malformedManifest(endpoint, ref, reference, index.error.issues[0]?.message);
        return { kind: 'index', index: index.data, digest, mediaType, bytes, endpoint };
      }
      const manifest = ImageManifestSchema.safeParse(parsed);
      if (!manifest.success)
        throw malformedManifest(endpoint, ref, reference, manifest.error.issues[0]?.message);
      return {
        kind: 'manifest',
        manifest: manifest.data,
        digest,
        mediaType,
        bytes,
        endpoint,
      };
    });
  }

  /** Streams a blob; `offset` resumes an interrupted download with a Range request. */
  async openBlob(ref: ImageReference, digest: string, offset = 0): Promise<BlobStream> {
    DescriptorSchema.shape.digest.parse(digest);
    return this.tryEndpoints(ref, async (endpoint) => {
      const headers: Record<string, string> = offset > 0 ? { range: `bytes=${offset}-` } : {};
      const response = await this.get(endpoint, ref, `blobs/${digest}`, headers);
      if (offset > 0 && response.statusCode !== 206) {
        await response.body.dump();
        throw new StevedoreError('UNAVAILABLE', `the registry ignored the range request for ${digest}`, {
          digest,
        });
      }
      const length = headerOf(response, 'content-length');
      return { stream: response.body, size: length ? Number(length) : null, endpoint };
    });
  }

  /** `docker login`: checks the credentials against the registry's /v2/ endpoint. */
  async checkLogin(domain: string, credential: RegistryCredential): Promise<void> {
    const endpoint = endpointsFor(domain, this.config()).at(-1)!;
    const url = `${endpoint.url}/v2/`;
    const dispatcher = this.dispatchers.for(endpoint.tls);
    let response = await request(url, { dispatcher });
    if (response.statusCode === 401) {
      const challenge = parseChallenge(headerOf(response, 'www-authenticate') ?? '');
      await response.body.dump();
      if (!challenge)
        throw new StevedoreError('UNAVAILABLE', `${url} asked for authentication without a challenge`);
      const scope = 'registry:catalog:*';
      const authorization = await this.tokens.authorize(challenge, scope, credential, domain, dispatcher);
      response = await request(url, { dispatcher, headers: { authorization } });
    }
    await response.body.dump();
    if (response.statusCode === 401 || response.statusCode === 403) {
      throw new StevedoreError('UNAUTHENTICATED', `login to ${domain} failed: wrong username or password`, {
        registry: domain,
      });
    }
    if (response.statusCode !== 200) {
      throw new StevedoreError(
        'UNAVAILABLE',
        `login to ${domain} failed: ${url} answered ${response.statusCode}`,
        { registry: domain },
      );
    }
  }

  /** The repositories a registry lists at `/v2/_catalog` (one page of up to 1000). */
  async catalog(domain: string): Promise<string[]> {
    const endpoint = endpointsFor(domain, this.config()).at(-1)!;
    const url = `${endpoint.url}/v2/_catalog?n=1000`;
    const dispatcher = this.dispatchers.for(endpoint.tls);
    let response = await request(url, { dispatcher });
    if (response.statusCode === 401) {
      const challenge = parseChallenge(headerOf(response, 'www-authenticate') ?? '');
      await response.body.dump();
      if (!challenge)
        throw new StevedoreError('UNAUTHENTICATED', `${url} refused the request without a challenge`);
      const authorization = await this.tokens.authorize(
        challenge,
        'registry:catalog:*',
        await this.credentials(domain),
        domain,
        dispatcher,
      );
      response = await request(url, { dispatcher, headers: { authorization } });
    }
    if (response.statusCode !== 200) {
      await response.body.dump();
      throw new StevedoreError(
        'UNAVAILABLE',
        `${domain} does not list its repositories (GET /v2/_catalog answered ${response.statusCode})`,
        {
          registry: domain,
        },
      );
    }
    const body = (await readBoundedJson(response, {
      what: 'the repository list',
      from: endpoint.url,
      limit: REGISTRY_LIMITS.listing,
      context: { registry: domain },
    })) as { repositories?: unknown } | null;
    return Array.isArray(body?.repositories)
      ? body.repositories.filter((r): r is string => typeof r === 'string')
      : [];
  }

  /** Docker Hub's search API (`index.docker.io/v1/search`). */
  async hubSearch(
    term: string,
    limit: number,
  ): Promise<{ name: string; description: string; star_count: number; is_official: boolean }[]> {
    const url = `https://index.docker.io/v1/search?q=${encodeURIComponent(term)}&n=${limit}`;
    const response = await request(url, { dispatcher: this.dispatchers.for() });
    if (response.statusCode !== 200) {
      await response.body.dump();
      throw new StevedoreError('UNAVAILABLE', `Docker Hub search answered ${response.statusCode}`);
    }
    const body = (await readBoundedJson(response, {
      what: `the search results for ${term}`,
      from: 'https://index.docker.io',
      limit: REGISTRY_LIMITS.listing,
    })) as {
      results?: { name: string; description: string; star_count: number; is_official: boolean }[];
    } | null;
    return Array.isArray(body?.results) ? body.results : [];
  }

  async close(): Promise<void> {
    await this.dispatchers.close();
  }

  /**
   * One request to the registry itself (never a mirror: pushes go upstream), answering an auth
   * challenge for `scope` with the stored credentials. The caller reads or dumps the body.
   */
  async send(
    domain: string,
    method: 'HEAD' | 'POST' | 'PUT',
    path: string,
    options: { scope: string; headers?: Record<string, string>; body?: Buffer | Readable },
  ): Promise<Dispatcher.ResponseData> {
    const endpoint = endpointsFor(domain, this.config()).at(-1) as RegistryEndpoint;
    const url = /^https?:\/\//.test(path) ? path : `${endpoint.url}${path}`;
    const dispatcher = this.dispatchers.for(endpoint.tls);
    const attempt = (authorization?: string) =>
      request(url, {
        method,
        dispatcher,
        headers: { ...options.headers, ...(authorization ? { authorization } : {}) },
        ...(options.body ? { body: options.body } : {}),
      });
    const authorization = this.pushAuthorization.get(`${domain}|${options.scope}`);
    let response = await attempt(authorization);
    if (response.statusCode === 401) {
      const challenge = parseChallenge(headerOf(response, 'www-authenticate') ?? '');
      await response.body.dump();
      if (!challenge)
        throw new StevedoreError('UNAUTHENTICATED', `${url} refused the request without a challenge`);
      if (options.body && typeof (options.body as Readable).pipe === 'function') {
        throw new StevedoreError(
          'UNAUTHENTICATED',
          `${url} asked for authentication in the middle of an upload`,
        );
      }
      const fresh = await this.tokens.authorize(
        challenge,
        options.scope,
        await this.credentials(domain),
        domain,
        dispatcher,
      );
      this.pushAuthorization.set(`${domain}|${options.scope}`, fresh);
      response = await attempt(fresh);
    }
    return response;
  }

  private async get(
    endpoint: RegistryEndpoint,
    ref: ImageReference,
    suffix: string,
    headers: Record<string, string>,
  ) {
    const url = `${endpoint.url}/v2/${ref.path}/${suffix}`;
    const dispatcher = this.dispatchers.for(endpoint.tls);
    let response = await request(url, { dispatcher, headers });
    if (response.statusCode === 401) {
      const challenge = parseChallenge(headerOf(response, 'www-authenticate') ?? '');
      await response.body.dump();
      if (!challenge)
        throw new StevedoreError(
          'UNAUTHENTICATED',
          `${endpoint.url} refused the request without a challenge`,
        );
      const authorization = await this.tokens.authorize(
        challenge,
        `repository:${ref.path}:pull`,
        endpoint.mirror ? null : await this.credentials(ref.domain),
        ref.domain,
        dispatcher,
      );
      response = await request(url, { dispatcher, headers: { ...headers, authorization } });
    }
    if (response.statusCode === 200 || response.statusCode === 206) return response;
    const detail = (await readErrorDetail(response.body)).slice(0, 200);
    const context = {
      registry: endpoint.url,
      repository: ref.path,
      path: suffix,
      status: response.statusCode,
    };
    if (response.statusCode === 404) {
      throw new StevedoreError(
        'NOT_FOUND',
        `${suffix.startsWith('manifests') ? 'manifest' : 'blob'} unknown: ${ref.domain}/${ref.path} ${suffix}`,
        context,
      );
    }
    if (response.statusCode === 401)
      throw new StevedoreError('UNAUTHENTICATED', `unauthorized: ${detail}`, context);
    if (response.statusCode === 403)
      throw new StevedoreError('PERMISSION_DENIED', `denied: ${detail}`, context);
    throw new StevedoreError(
      'UNAVAILABLE',
      `${endpoint.url} answered ${response.statusCode}: ${detail}`,
      context,
    );
  }

  /** Mirrors in order, then the upstream; each with bounded retries of transient failures. */
  private async tryEndpoints<T>(
    ref: ImageReference,
    attempt: (endpoint: RegistryEndpoint) => Promise<T>,
  ): Promise<T> {
    const endpoints = endpointsFor(ref.domain, this.config());
    let lastError: unknown;
    for (const endpoint of endpoints) {
      for (let retry = 0; retry <= RETRIES; retry++) {
        try {
          return await attempt(endpoint);
        } catch (error) {
          lastError = error;
          if (!isTransient(error)) break;
          if (retry < RETRIES) await new Promise((r) => setTimeout(r, 200 * 2 ** retry));
        }
      }
      // An upstream's definite answer (not found, denied, bad digest) is final; a mirror's is not.
      if (!endpoint.mirror && !isTransient(lastError)) break;
    }
    if (lastError instanceof StevedoreError) throw lastError;
    throw new StevedoreError(
      'UNAVAILABLE',
      `registry ${ref.domain} unreachable: ${(lastError as Error)?.message}`,
      {
        registry: ref.domain,
      },
    );
  }
}

function malformedManifest(
  endpoint: RegistryEndpoint,
  ref: ImageReference,
  reference: string,
  problem: string | undefined,
): StevedoreError {
  return new StevedoreError(
    'INVALID_ARGUMENT',
    `${endpoint.url} sent a malformed manifest for ${ref.path}:${reference}: ${problem ?? 'unreadable'}`,
    { registry: endpoint.url, repository: ref.path },
  );
}

function parseManifestJson(
  bytes: Buffer,
  endpoint: RegistryEndpoint,
  ref: ImageReference,
  reference: string,
): { mediaType?: string; manifests?: unknown } {
  try {
    const parsed = JSON.parse(bytes.toString('utf8')) as unknown;
    if (typeof parsed === 'object' && parsed !== null) return parsed;
  } catch {
    // Reported below, as for JSON that is not an object.
  }
  throw new StevedoreError(
    'INVALID_ARGUMENT',
    `${endpoint.url} sent a manifest for ${ref.path}:${reference} that is not a JSON object`,
    { registry: endpoint.url, repository: ref.path },
  );
}

function headerOf(response: Dispatcher.ResponseData, name: string): string | undefined {
  const value = response.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function isTransient(error: unknown): boolean {
  if (error instanceof StevedoreError) return error.code === 'UNAVAILABLE';
  const code = (error as NodeJS.ErrnoException)?.code ?? '';
  return /ECONNRESET|ECONNREFUSED|ETIMEDOUT|EPIPE|UND_ERR/.test(code);
}
