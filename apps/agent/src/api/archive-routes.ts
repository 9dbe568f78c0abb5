import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { httpStatusFor, ImageReferenceString, isStevedoreError, StevedoreError } from '@stevedore/shared';
import { z } from 'zod';
import type { Logger } from '../util/logger.js';
import type { ContainersApi, ImagesApi } from './trpc.js';

const CONTAINER_ROUTE = /^\/containers\/([^/]+)\/(archive|export)$/;
const ContainerPathSchema = z.string().min(1).max(4096);

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
  const url = new URL(req.url ?? '/', 'http://agent');
  const containerRoute = CONTAINER_ROUTE.exec(url.pathname);
  const route = containerRoute
    ? `${req.method} /containers/{id}/${containerRoute[2]}`
    : `${req.method} ${url.pathname}`;
  const container = containerRoute ? decodeURIComponent(containerRoute[1]!) : '';
  try {
    // As every tRPC procedure does (api/trpc.ts).
    await containers.settled();
    switch (route) {
      case 'PUT /containers/{id}/archive': {
        await containers.files.copyTo(container, containerPath(url), req);
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
        const names = url.searchParams.getAll('names');
        if (names.length === 0)
          throw new StevedoreError('INVALID_ARGUMENT', 'name at least one image: ?names=IMAGE');
        const archive = await images.save(names);
        res.writeHead(200, { 'content-type': 'application/x-tar' });
        await pipeline(archive, res);
        return true;
      }
      case 'POST /images/load': {
        const loaded = await images.load(req);
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
        const id = await images.importImage({
          archive: req,
          tag: tag?.data ?? null,
          changes: url.searchParams.getAll('changes'),
          message: url.searchParams.get('message') ?? '',
        });
        answerJson(res, 200, { Id: id });
        return true;
      }
      default:
        return false;
    }
  } catch (error) {
    if (res.headersSent) {
      // Mid-stream: all the client can be told is that the archive ended early.
      log.warn({ err: error, route }, 'archive stream failed');
      res.destroy(error as Error);
      return true;
    }
    const known = isStevedoreError(error);
    if (!known) log.error({ err: error, route }, 'archive request failed');
    answerJson(res, known ? httpStatusFor[error.code] : 500, {
      message: error instanceof Error ? error.message : String(error),
      code: known ? error.code : 'INTERNAL',
    });
    // An unread request body would otherwise hold the connection.
    req.resume();
    return true;
  }
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
