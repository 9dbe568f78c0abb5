import { StevedoreError } from '@stevedore/shared';
import type { Dispatcher } from 'undici';

/**
 * How much of a registry's answer the agent holds in memory. A registry (or a mirror, or a token
 * service) may be hostile: without a cap an endless or huge body would take all of the agent's
 * memory. Blobs are streamed to disk instead and bounded by their descriptor's size.
 */
export const REGISTRY_LIMITS = {
  /** Docker's limit for manifests and indexes (distribution's maxManifestBodySize). */
  manifest: 4 << 20,
  /** Image configs: JSON like manifests, but long histories make them larger. */
  config: 8 << 20,
  /** Token service answers: a JWT or an opaque token and a few fields. */
  token: 1 << 20,
  /** One `/v2/_catalog` page of up to 1000 names, or one page of Docker Hub search results. */
  listing: 4 << 20,
  /** An error answer's text, quoted in the error the caller sees. */
  errorDetail: 4 << 10,
} as const;

type Body = Dispatcher.ResponseData['body'];

export interface BoundedRead {
  /** What the body is, for the error: "the manifest of library/busybox:latest". */
  what: string;
  /** Who sent it: the registry endpoint, mirror or token realm (an origin URL). */
  from: string;
  limit: number;
  context?: Record<string, unknown>;
}

/**
 * The whole body, or INVALID_ARGUMENT naming the sender, what it was and the limit as soon as it
 * says (Content-Length) or shows (bytes read) that it is bigger; the connection is dropped then.
 */
export async function readBounded(
  response: Pick<Dispatcher.ResponseData, 'body' | 'headers'>,
  read: BoundedRead,
): Promise<Buffer> {
  const tooBig = (size: string) =>
    new StevedoreError(
      'INVALID_ARGUMENT',
      `${read.from} sent ${size} for ${read.what}, more than the ${formatBytes(read.limit)} allowed`,
      { ...read.context, from: read.from, limit: read.limit },
    );
  const declared = Number(response.headers['content-length']);
  if (Number.isFinite(declared) && declared > read.limit) {
    response.body.destroy();
    throw tooBig(`${declared} bytes`);
  }
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of response.body) {
    size += (chunk as Buffer).length;
    if (size > read.limit) {
      response.body.destroy();
      throw tooBig(`more than ${formatBytes(read.limit)}`);
    }
    parts.push(chunk as Buffer);
  }
  return Buffer.concat(parts, size);
}

/** A JSON body read with readBounded; INVALID_ARGUMENT naming the sender when it is not JSON. */
export async function readBoundedJson(
  response: Pick<Dispatcher.ResponseData, 'body' | 'headers'>,
  read: BoundedRead,
): Promise<unknown> {
  const bytes = await readBounded(response, read);
  try {
    return JSON.parse(bytes.toString('utf8')) as unknown;
  } catch (error) {
    throw new StevedoreError(
      'INVALID_ARGUMENT',
      `${read.from} sent ${read.what} that is not JSON: ${(error as Error).message}`,
      { ...read.context, from: read.from },
    );
  }
}

/**
 * The start of an error answer's text (at most REGISTRY_LIMITS.errorDetail bytes) for a message;
 * the rest is not read and the connection is dropped. Never fails: a broken body gives ''.
 */
export async function readErrorDetail(body: Body): Promise<string> {
  const parts: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of body) {
      parts.push(chunk as Buffer);
      size += (chunk as Buffer).length;
      if (size >= REGISTRY_LIMITS.errorDetail) break;
    }
  } catch {
    // A body that fails while being read still leaves what arrived: the detail is only decoration.
  } finally {
    body.destroy();
  }
  return Buffer.concat(parts).subarray(0, REGISTRY_LIMITS.errorDetail).toString('utf8');
}

function formatBytes(bytes: number): string {
  return bytes >= 1 << 20 ? `${bytes / (1 << 20)} MiB` : `${bytes / 1024} KiB`;
}
