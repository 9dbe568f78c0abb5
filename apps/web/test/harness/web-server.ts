import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { request } from 'node:http';
import { connect } from 'node:net';
import pino from 'pino';
import type { RequestTimeouts } from '../../src/server/http/request-timeouts';
import { createWebServer, type PageHandler } from '../../src/server/http/server';
import type { ControlPlaneOptions } from '../../src/server/services/index';
import { openTestDatabase, type TestDatabase } from '../db/test-database';
import { createControlPlane } from './control-plane';

/**
 * Stands in for Next's page handler (the pages themselves are the e2e tests' concern): answers
 * every page 200, and any path with `boom` in it by throwing, as a failing page render would.
 */
const stubPages: PageHandler = {
  async handle(req: IncomingMessage, res: ServerResponse) {
    if (req.url?.includes('boom')) throw new Error('page render failed');
    res.writeHead(200, { 'content-type': 'text/plain' }).end(`page ${req.url}`);
  },
};

export interface TestWebServer {
  t: TestDatabase;
  plane: ReturnType<typeof createControlPlane>;
  server: Server;
  port: number;
  baseURL: string;
  close(): Promise<void>;
}

/**
 * The dashboard's real HTTP server (createWebServer: tRPC handler, session check, upgrade
 * dispatcher) over real services and a migrated SQLite database, on a free loopback port.
 */
export async function startTestWebServer(
  options: {
    trustProxy?: boolean;
    secureCookies?: boolean;
    plane?: Partial<ControlPlaneOptions>;
    timeouts?: RequestTimeouts;
  } = {},
): Promise<TestWebServer> {
  const t = await openTestDatabase('sqlite');
  const plane = createControlPlane(t.db, options.plane);
  const server = createWebServer({
    services: plane.services,
    pages: stubPages,
    secureCookies: options.secureCookies ?? false,
    trustProxy: options.trustProxy ?? false,
    ...(options.timeouts ? { timeouts: options.timeouts } : {}),
    log: pino({ level: 'silent' }),
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    t,
    plane,
    server,
    port,
    baseURL: `http://127.0.0.1:${port}`,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await plane.close();
      await t.close();
    },
  };
}

export interface HttpAnswer {
  status: number;
  headers: IncomingMessage['headers'];
  body: string;
}

/** One HTTP request from a chosen loopback address (127.0.0.0/8 gives each test client its own). */
export function httpRequest(
  port: number,
  options: {
    method?: string;
    path: string;
    headers?: Record<string, string>;
    body?: string | Buffer;
    localAddress?: string;
    /** For answers that never end (event streams): resolve with what arrived by then. */
    timeoutMs?: number;
  },
): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method: options.method ?? 'GET',
        path: options.path,
        headers: {
          ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...options.headers,
        },
        ...(options.localAddress ? { localAddress: options.localAddress } : {}),
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        const done = () => {
          clearTimeout(timer);
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString(),
          });
        };
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', done);
        res.on('error', reject);
        if (options.timeoutMs !== undefined) {
          timer = setTimeout(() => {
            // The answer is cut off on purpose: what arrived is the result, not an error.
            res.off('error', reject);
            res.on('error', () => {});
            req.destroy();
            done();
          }, options.timeoutMs);
        }
      },
    );
    req.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    req.end(options.body);
  });
}

/**
 * Writes raw bytes to the server and returns everything it answers until it closes the connection
 * (or `timeoutMs` passes): for requests no HTTP client would send.
 */
export function rawExchange(port: number, bytes: string | Buffer, timeoutMs = 5_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => socket.destroy(), timeoutMs);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', (error: NodeJS.ErrnoException) => {
      // The server may reset a connection it refused; what it answered before still counts.
      if (error.code === 'ECONNRESET' || error.code === 'EPIPE') return;
      clearTimeout(timer);
      reject(error);
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString('latin1'));
    });
    socket.write(bytes);
  });
}
