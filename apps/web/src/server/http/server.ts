import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { nodeHTTPRequestHandler } from '@trpc/server/adapters/node-http';
import type { Logger } from 'pino';
import { appRouter } from '../api/root';
import type { Context } from '../api/trpc';
import { readSessionCookie } from '../auth/session-token';
import type { AuthService } from '../services/auth-service';
import type { Services } from '../services/index';
import { clientIp, isCrossSiteWrite, isPublicPath } from './request-guard';

export interface PageHandler {
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
  /** Next's dev server upgrades its own HMR socket; absent in production. */
  upgrade?(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void>;
}

export interface WebServerOptions {
  services: Services;
  pages: PageHandler;
  secureCookies: boolean;
  log: Logger;
}

/**
 * The one HTTP server: the tRPC API under /api/trpc, a session check in front of every page, and
 * one `upgrade` dispatcher.
 */
export function createWebServer({ services, pages, secureCookies, log }: WebServerOptions): Server {
  const server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
      if (url.pathname === '/api/health') {
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
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
          createContext: () => createContext(req, res, services, secureCookies),
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

  server.on('upgrade', (req, socket, head) => {
    if (pages.upgrade && req.url?.startsWith('/_next/')) {
      pages.upgrade(req, socket, head).catch(() => socket.destroy());
      return;
    }
    socket.end('HTTP/1.1 404 Not Found\r\n\r\n');
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
  secureCookies: boolean,
): Promise<Context> {
  const session = await sessionUser(req, services.auth);
  const cookies: string[] = [];
  return {
    services,
    user: session?.user ?? null,
    sessionTokenHash: session?.tokenHash ?? null,
    clientIp: clientIp(req),
    userAgent: req.headers['user-agent'] ?? null,
    secureCookies,
    setCookie(cookie) {
      cookies.push(cookie);
      res.setHeader('set-cookie', cookies);
    },
  };
}
