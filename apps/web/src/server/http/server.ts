import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { answerMalformedRequest, installProcessGuards } from '@stevedore/shared/node-guards';
import { nodeHTTPRequestHandler } from '@trpc/server/adapters/node-http';
import type { Logger } from 'pino';
import { appRouter } from '../api/root';
import type { Context } from '../api/trpc';
import { readSessionCookie } from '../auth/session-token';
import type { AuthService } from '../services/auth-service';
import type { Services } from '../services/index';
import { IMAGE_LOAD_PATH, IMAGE_SAVE_PATH, serveImageArchive } from './image-archive';
import { LOG_DOWNLOAD_PATH, serveLogDownload } from './log-download';
import { clientIp, isCrossSiteWrite, isHttpsRequest, isPublicPath } from './request-guard';
import {
  DEFAULT_REQUEST_TIMEOUTS,
  limitRequestTime,
  limitUploadIdle,
  type RequestTimeouts,
} from './request-timeouts';

export interface PageHandler {
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
  /** Next's dev server upgrades its own HMR socket; absent in production. */
  upgrade?(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void>;
}

export interface WebServerOptions {
  services: Services;
  pages: PageHandler;
  /** Always mark session cookies `Secure` (else only for HTTPS requests, see isHttpsRequest). */
  secureCookies: boolean;
  /** Believe X-Forwarded-For/-Proto: set only when a reverse proxy in front sets them. */
  trustProxy: boolean;
  /** Bounds on receiving a request's body (DEFAULT_REQUEST_TIMEOUTS when absent). */
  timeouts?: RequestTimeouts;
  log: Logger;
}

/** The largest tRPC request body accepted (a host's form with a key and a CA certificate is ~20 KiB). */
export const MAX_TRPC_BODY_BYTES = 1024 * 1024;
/** The most procedures one batched tRPC request may call (the browser's link sends at most 32). */
export const MAX_TRPC_BATCH = 64;

/** A request path that is no valid URL path (or whose percent-encoding is broken): answered 400. */
function parseRequestUrl(raw: string | undefined): URL | null {
  if (!raw?.startsWith('/')) return null;
  try {
    const url = new URL(raw, 'http://localhost');
    decodeURIComponent(url.pathname);
    return url;
  } catch {
    return null;
  }
}

function badRequest(res: ServerResponse, why: string): void {
  res.writeHead(400, { 'content-type': 'text/plain', connection: 'close' }).end(`bad request: ${why}\n`);
}

/**
 * The one HTTP server: the tRPC API under /api/trpc, a session check in front of every page, and
 * one `upgrade` dispatcher. A request that fails is logged and answered (400 for malformed ones);
 * it never takes the process down.
 */
export function createWebServer(options: WebServerOptions): Server {
  const { services, pages, secureCookies, trustProxy, log } = options;
  const timeouts = options.timeouts ?? DEFAULT_REQUEST_TIMEOUTS;
  const server = createServer(async (req, res) => {
    try {
      const url = parseRequestUrl(req.url);
      if (url?.pathname === IMAGE_LOAD_PATH) limitUploadIdle(req, res, timeouts.uploadIdleMs, log);
      else limitRequestTime(req, res, timeouts.requestMs, log);
      if (!url) {
        badRequest(res, 'malformed URL');
        return;
      }
      if (url.pathname === '/api/health') {
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
        return;
      }
      if (url.pathname === LOG_DOWNLOAD_PATH) {
        const session = await sessionUser(req, services.auth);
        await serveLogDownload(url, req, res, services, session?.user ?? null, log);
        return;
      }
      if (url.pathname === IMAGE_SAVE_PATH || url.pathname === IMAGE_LOAD_PATH) {
        const session = await sessionUser(req, services.auth);
        await serveImageArchive(url, req, res, services, session?.user ?? null, log);
        return;
      }
      if (url.pathname.startsWith('/api/trpc/')) {
        if (isCrossSiteWrite(req)) {
          res.writeHead(403, { 'content-type': 'text/plain' }).end('cross-site request refused');
          return;
        }
        await nodeHTTPRequestHandler({
          req,
          res,
          router: appRouter,
          path: url.pathname.slice('/api/trpc/'.length),
          maxBodySize: MAX_TRPC_BODY_BYTES,
          maxBatchSize: MAX_TRPC_BATCH,
          createContext: () =>
            createContext(req, res, services, {
              secureCookies: secureCookies || isHttpsRequest(req, { trustProxy }),
              trustProxy,
            }),
          onError: ({ error, path }) => {
            if (error.code === 'INTERNAL_SERVER_ERROR') log.error({ err: error, path }, 'procedure failed');
          },
        });
        return;
      }
      if (!isPublicPath(url.pathname) && !(await sessionUser(req, services.auth))) {
        const next = encodeURIComponent(url.pathname + url.search);
        res.writeHead(302, { location: `/login?next=${next}` }).end();
        return;
      }
      await pages.handle(req, res);
    } catch (error) {
      log.error({ err: error, url: req.url }, 'request failed');
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('internal error');
    }
  });

  // An image upload (POST /api/images/load) may take longer than any bound on a whole request:
  // bodies are bounded per route in the handler instead (request-timeouts.ts); slow headers are
  // still cut off by headersTimeout.
  server.requestTimeout = 0;

  // Malformed request lines and headers never reach the handler: Node's parser reports them here.
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) =>
    answerMalformedRequest(error, socket, log),
  );

  server.on('upgrade', (req, socket, head) => {
    // The socket is ours once upgraded: a client that resets it must not raise an unhandled 'error'.
    socket.on('error', (error) => log.debug({ err: error, url: req.url }, 'upgrade socket failed'));
    const url = parseRequestUrl(req.url);
    if (!url) {
      socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    if (pages.upgrade && url.pathname.startsWith('/_next/')) {
      pages.upgrade(req, socket, head).catch((error: unknown) => {
        log.warn({ err: error, url: req.url }, 'upgrade failed');
        socket.destroy();
      });
      return;
    }
    socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
  });
  return server;
}

async function sessionUser(req: IncomingMessage, auth: AuthService) {
  const token = readSessionCookie(req.headers.cookie);
  return token ? auth.resolve(token) : null;
}

async function createContext(
  req: IncomingMessage,
  res: ServerResponse,
  services: Services,
  { secureCookies, trustProxy }: { secureCookies: boolean; trustProxy: boolean },
): Promise<Context> {
  const session = await sessionUser(req, services.auth);
  const cookies: string[] = [];
  return {
    services,
    user: session?.user ?? null,
    sessionTokenHash: session?.tokenHash ?? null,
    clientIp: clientIp(req, { trustProxy }),
    userAgent: req.headers['user-agent'] ?? null,
    secureCookies,
    setCookie(cookie) {
      cookies.push(cookie);
      res.setHeader('set-cookie', cookies);
    },
  };
}

/**
 * Last resort for the process: a rejection or exception no request handler caught is logged, and
 * the server keeps serving (each request's own failures are already answered by its handler).
 */
export function keepServingOnStrayErrors(log: Logger): void {
  installProcessGuards(log, { name: 'the dashboard' });
}
