import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  ContainerRefSchema,
  httpStatusFor,
  ImageReferenceString,
  isStevedoreError,
  StevedoreError,
} from '@stevedore/shared';
import { z } from 'zod';
import type { Logger } from '../util/logger.js';
import { decodePathSegment, discardBody, printable, requestUrl } from './request-url.js';
import { TarGate } from './tar-gate.js';
import type { ContainersApi, ImagesApi } from './trpc.js';

const CONTAINER_ROUTE = /^\/containers\/([^/]+)\/(archive|export)$/;
const ContainerPathSchema = z
  .string()
  .min(1)
  .max(4096)
  .refine((path) => !path.includes('\0'), 'must not contain NUL bytes');
const MAX_QUERY_VALUES = 100;

/**
 * Archives over plain HTTP on the API listener, streamed both ways (tRPC carries JSON, not
 * gigabytes), on Docker Engine API's paths:
 *   GET  /images/get?names=IMAGE[&names=…]              `docker save`: an archive
 *   POST /images/load                                     `docker load`: body is an archive
 *   POST /images/create?fromSrc=-[&repo=][&message=][&changes=…]   `docker import`: body is a rootfs tar
 *   PUT  /containers/{id|name}/archive?path=PATH          `docker cp … CONTAINER:PATH`: body is a tar
 *   GET  /containers/{id|name}/archive?path=PATH          `docker cp CONTAINER:PATH …`: a tar
 *   GET  /containers/{id|name}/export                     `docker export`: the filesystem as a tar
 * The caller authenticates like a websocket does (server.ts); answers `false` for other paths.
 */
export async function serveArchiveRoute(
  req: IncomingMessage,
  res: ServerResponse,
  services: {
    images: ImagesApi;
    containers: Pick<ContainersApi, 'files' | 'settled'>;
  },
  log: Logger,
): Promise<boolean> {
  const { images, containers } = services;
  // The caller checked the URL (server.ts); parsing again here keeps this function safe on its own.
  const url = requestUrl(req);
  const containerRoute = CONTAINER_ROUTE.exec(url.pathname);
  const route = containerRoute
    ? `${req.method} /containers/{id}/${containerRoute[2]}`
    : `${req.method} ${url.pathname}`;
  if (!ARCHIVE_ROUTES.has(route)) return false;
  /** The tar body, checked as it streams (routes that take one). */
  let body: TarGate | null = null;
  try {
    const container = containerRoute ? containerRef(containerRoute[1] as string) : '';
    if (url.searchParams.size > MAX_QUERY_VALUES) {
      throw new StevedoreError('INVALID_ARGUMENT', `too many query parameters (at most ${MAX_QUERY_VALUES})`);
    }
    // As every tRPC procedure does (api/trpc.ts).
    await containers.settled();
    switch (route) {
      case 'PUT /containers/{id}/archive': {
        const path = containerPath(url);
        body = tarBody(req, 'the request body');
        await containers.files.copyTo(container, path, body);
        answerJson(res, 200, {});
        return true;
      }
      case 'GET /containers/{id}/archive':
        await sendTar(res, (signal) => containers.files.copyFrom(container, containerPath(url), signal));
        return true;
      case 'GET /containers/{id}/export':
        await sendTar(res, (signal) => containers.files.exportTar(container, signal));
        return true;
      case 'GET /images/get': {
        const names = url.searchParams.getAll('names').map((name) => queryValue(name, 'names', 300));
        if (names.length === 0)
          throw new StevedoreError('INVALID_ARGUMENT', 'name at least one image: ?names=IMAGE');
        const archive = await images.save(names);
        res.writeHead(200, { 'content-type': 'application/x-tar' });
        await pipeline(archive, res);
        return true;
      }
      case 'POST /images/load': {
        body = tarBody(req, 'the image archive');
        const loaded = await images.load(body);
        answerJson(res, 200, loaded);
        return true;
      }
      case 'POST /images/create': {
        if (url.searchParams.get('fromSrc') !== '-') {
          throw new StevedoreError('INVALID_ARGUMENT', 'only fromSrc=- (the request body) is supported');
        }
        const repo = url.searchParams.get('repo');
        const tag = repo ? ImageReferenceString.safeParse(repo) : null;
        if (tag && !tag.success) {
          throw new StevedoreError(
            'INVALID_ARGUMENT',
            `invalid reference format: ${tag.error.issues[0]?.message}`,
          );
        }
        const changes = url.searchParams
          .getAll('changes')
          .map((change) => queryValue(change, 'changes', 5000));
        const message = queryValue(url.searchParams.get('message') ?? '', 'message', 5000);
        body = tarBody(req, 'the filesystem archive');
        const id = await images.importImage({ archive: body, tag: tag?.data ?? null, changes, message });
        answerJson(res, 200, { Id: id });
        return true;
      }
      default:
        return false;
    }
  } catch (caught) {
    // A refused body is the answer, whatever the consumer made of the stream ending early.
    const error = body?.failure ?? (body ? (malformedBody(caught) ?? caught) : caught);
    if (res.headersSent) {
      // Mid-stream: all the client can be told is that the archive ended early.
      log.warn({ err: error, route }, 'archive stream failed');
      res.destroy(error as Error);
      return true;
    }
    const known = isStevedoreError(error);
    if (!known) log.error({ err: error, route }, 'archive request failed');
    else log.debug({ route, code: error.code, message: error.message }, 'archive request refused');
    if (body) req.unpipe(body);
    await discardBody(req, res);
    answerJson(res, known ? httpStatusFor[error.code] : 500, {
      message: error instanceof Error ? error.message : String(error),
      code: known ? error.code : 'INTERNAL',
    });
    return true;
  }
}

/** Every route served here, as `METHOD /path` with `{id}` for the container: for callers that list them. */
export const ARCHIVE_ROUTES: ReadonlySet<string> = new Set([
  'PUT /containers/{id}/archive',
  'GET /containers/{id}/archive',
  'GET /containers/{id}/export',
  'GET /images/get',
  'POST /images/load',
  'POST /images/create',
]);

/** The request body through a TarGate: a malformed archive is refused before extraction sees it. */
function tarBody(req: IncomingMessage, what: string): TarGate {
  const gate = new TarGate(what);
  // Its failure is kept in gate.failure and answered by the route; the consumer may have stopped listening.
  gate.on('error', () => {});
  req.once('error', (error) => gate.destroy(error));
  req.pipe(gate);
  return gate;
}

/**
 * A consumer's complaint about the bytes it was sent (a compressed body the gate passed unchecked,
 * or an archive whose JSON is not JSON), as the input error it is; null for anything else.
 */
function malformedBody(error: unknown): StevedoreError | null {
  if (isStevedoreError(error) || !(error instanceof Error)) return null;
  const code = (error as NodeJS.ErrnoException).code ?? '';
  const malformed =
    /^Z_(DATA|BUF)_ERROR$/.test(code) ||
    isZstdFormatError(error) ||
    error instanceof SyntaxError ||
    error.name === 'ZodError' ||
    /^(Invalid tar header|Unexpected end of data)/.test(error.message);
  return malformed
    ? new StevedoreError('INVALID_ARGUMENT', `malformed archive: ${error.message}`, {}, { cause: error })
    : null;
}

/** fzstd's complaints about its input carry a numeric code (0-5) beside one of its fixed messages. */
function isZstdFormatError(error: Error): boolean {
  const code = (error as { code?: unknown }).code;
  return (
    typeof code === 'number' &&
    /^(invalid zstd data|window size too large|invalid block type|FSE accuracy too high|match distance too far back|unexpected EOF)/.test(
      error.message,
    )
  );
}

/** A query parameter's value: at most `max` characters, no NUL bytes. */
function queryValue(value: string, name: string, max: number): string {
  if (value.length > max || value.includes('\0')) {
    throw new StevedoreError(
      'INVALID_ARGUMENT',
      `?${name}= must be at most ${max} characters without NUL bytes: ${printable(value)}`,
    );
  }
  return value;
}

function containerRef(segment: string): string {
  const ref = ContainerRefSchema.safeParse(decodePathSegment(segment, 'container name'));
  if (!ref.success) {
    throw new StevedoreError(
      'INVALID_ARGUMENT',
      `invalid container name or ID ${printable(segment)}: ${ref.error.issues[0]?.message}`,
    );
  }
  return ref.data;
}

function containerPath(url: URL): string {
  const path = ContainerPathSchema.safeParse(url.searchParams.get('path'));
  if (!path.success) {
    throw new StevedoreError(
      'INVALID_ARGUMENT',
      `?path= must name a path in the container (1 to 4096 characters): ${path.error.issues[0]?.message}`,
    );
  }
  return path.data;
}

/**
 * Sends what `produce` yields as a tar. Its first piece is awaited before the status line, so a
 * path that does not exist is still a proper error; a client that goes away stops the producer.
 */
async function sendTar(
  res: ServerResponse,
  produce: (signal: AbortSignal) => AsyncGenerator<Buffer>,
): Promise<void> {
  const abort = new AbortController();
  res.once('close', () => abort.abort());
  const pieces = produce(abort.signal);
  const first = await pieces.next();
  res.writeHead(200, { 'content-type': 'application/x-tar' });
  if (!first.done) res.write(first.value);
  await pipeline(Readable.from(pieces), res);
}

function answerJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}
