import { rmSync } from 'node:fs';
import { chmod, readFile } from 'node:fs/promises';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import { isStevedoreError, StevedoreError, type TokenSummary } from '@stevedore/shared';
import { answerMalformedRequest } from '@stevedore/shared/node-guards';
import { applyWSSHandler } from '@trpc/server/adapters/ws';
import { type WebSocket, WebSocketServer } from 'ws';
import { formatHostAddress, type HostAddress, parseHostAddress } from '../config/host-address.js';
import type { Logger } from '../util/logger.js';
import { serveArchiveRoute } from './archive-routes.js';
import { socketOutbound } from './outbound-pacing.js';
import { discardBody, printable, requestUrl } from './request-url.js';
import { agentRouter } from './router.js';
import type { AgentContext, AgentServices, Transport } from './trpc.js';
import { prepareSocketPath } from './unix-socket.js';

export interface ApiServerOptions {
  hosts: readonly string[];
  tls: { certFile: string; keyFile: string } | null;
  services: AgentServices;
  /** Resolves a bearer token presented on TCP to the token it belongs to. */
  verifyToken(token: string): TokenSummary | null;
  log: Logger;
}

export interface ApiServer {
  /** Where it listens, with real ports (tcp://127.0.0.1:0 becomes the chosen port). */
  addresses: string[];
  /** Closes the connections opened with a token, once it is revoked. */
  disconnectToken(id: string): void;
  close(): Promise<void>;
}

interface Listener {
  server: http.Server;
  socketPath: string | null;
}

const KEEPALIVE = { enabled: true, pingMs: 30_000, pongWaitMs: 5_000 };
const CLOSE_GRACE_MS = 2_000;
/**
 * The largest tRPC message a client may send (ws closes the connection with 1009 beyond it). The
 * biggest legitimate ones are stdin writes (1 MB of base64 at most, packages/shared) and container
 * specs; ws's own default would be 100 MiB.
 */
export const MAX_TRPC_MESSAGE_BYTES = 8 << 20;

export async function startApiServer(options: ApiServerOptions): Promise<ApiServer> {
  const { log } = options;
  const tls = options.tls
    ? {
        cert: await readPem(options.tls.certFile, '--tlscert'),
        key: await readPem(options.tls.keyFile, '--tlskey'),
      }
    : null;
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_TRPC_MESSAGE_BYTES });
  const transports = new WeakMap<IncomingMessage, Transport>();
  const connectionsByToken = new Map<string, Set<WebSocket>>();
  applyWSSHandler({
    wss,
    router: agentRouter,
    keepAlive: KEEPALIVE,
    // An upgrade that did not come through our handler has no transport: treat it as remote.
    createContext: ({ req }): AgentContext => ({
      transport: transports.get(req) ?? 'tcp',
      services: options.services,
      log,
      outbound: socketOutbound(req.socket),
    }),
    onError: ({ error, path }) => {
      const internal = isStevedoreError(error.cause)
        ? error.cause.code === 'INTERNAL'
        : error.code === 'INTERNAL_SERVER_ERROR';
      if (internal) log.error({ err: error.cause ?? error, path }, 'procedure failed');
      else log.debug({ path, message: error.message }, 'procedure refused');
    },
  });

  const upgradeHandler = (transport: Transport) => (req: IncomingMessage, socket: Socket, head: Buffer) => {
    socket.on('error', (error) => log.debug({ err: error }, 'upgrade socket error'));
    try {
      requestUrl(req);
    } catch (error) {
      log.debug(
        { remote: req.socket.remoteAddress, message: (error as Error).message },
        'refused an upgrade',
      );
      refuseUpgrade(socket, 400, 'Bad Request', `${(error as Error).message}\n`);
      return;
    }
    try {
      upgrade(transport, req, socket, head);
    } catch (error) {
      // The tRPC adapter runs inside handleUpgrade's callback; whatever it throws ends this connection only.
      log.error({ err: error, url: printable(req.url ?? '') }, 'websocket upgrade failed');
      socket.destroy();
    }
  };

  const upgrade = (transport: Transport, req: IncomingMessage, socket: Socket, head: Buffer) => {
    if (transport === 'tcp') {
      const token = bearerToken(req.headers.authorization);
      const holder = token ? options.verifyToken(token) : null;
      if (!holder) {
        log.warn({ remote: req.socket.remoteAddress }, 'refused an API connection without a valid token');
        refuseUpgrade(socket, 401, 'Unauthorized', 'a valid bearer token is required\n');
        return;
      }
      log.debug({ token: holder.id, remote: req.socket.remoteAddress }, 'API connection authenticated');
      transports.set(req, transport);
      wss.handleUpgrade(req, socket, head, (ws) => {
        trackTokenConnection(holder.id, ws);
        wss.emit('connection', ws, req);
      });
      return;
    }
    transports.set(req, transport);
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  };

  const trackTokenConnection = (tokenId: string, ws: WebSocket) => {
    const set = connectionsByToken.get(tokenId) ?? new Set<WebSocket>();
    connectionsByToken.set(tokenId, set);
    set.add(ws);
    ws.once('close', () => {
      set.delete(ws);
      if (set.size === 0) connectionsByToken.delete(tokenId);
    });
  };
  const disconnectToken = (tokenId: string) => {
    for (const ws of connectionsByToken.get(tokenId) ?? []) ws.close(1008, 'token revoked');
  };

  /**
   * Plain HTTP: Docker's unauthenticated `/_ping`, and the image archive routes (authenticated
   * like a websocket: the token on TCP); everything else is served over the websocket.
   */
  async function answerPlainRequest(transport: Transport, req: IncomingMessage, res: ServerResponse) {
    let url: URL;
    try {
      url = requestUrl(req);
    } catch (error) {
      await answerText(res, 400, `${(error as Error).message}\n`);
      return;
    }
    if (url.pathname === '/_ping' && (req.method === 'GET' || req.method === 'HEAD')) {
      await answerText(res, 200, 'OK');
      return;
    }
    if (transport === 'tcp') {
      const token = bearerToken(req.headers.authorization);
      if (!token || !options.verifyToken(token)) {
        log.warn({ remote: req.socket.remoteAddress }, 'refused an API request without a valid token');
        await answerText(res, 401, 'a valid bearer token is required\n');
        return;
      }
    }
    if (await serveArchiveRoute(req, res, options.services, log)) return;
    res.setHeader('upgrade', 'websocket');
    await answerText(res, 426, 'use a tRPC websocket client\n');
  }

  /**
   * One request's failure is that request's: logged and answered 500 (or the connection cut when
   * the answer had begun); never an unhandled rejection that ends the agent.
   */
  function serveRequest(transport: Transport, req: IncomingMessage, res: ServerResponse) {
    answerPlainRequest(transport, req, res).catch((error: unknown) => {
      log.error({ err: error, method: req.method, url: printable(req.url ?? '') }, 'HTTP request failed');
      if (res.headersSent) res.destroy();
      else void answerText(res, 500, 'internal error (see the agent log)\n');
    });
  }

  const listeners: Listener[] = [];
  const close = async () => {
    for (const client of wss.clients) client.close(1001, 'agent shutting down');
    const force = setTimeout(() => {
      for (const client of wss.clients) client.terminate();
      for (const { server } of listeners) server.closeAllConnections();
    }, CLOSE_GRACE_MS);
    await Promise.all(
      listeners.map(({ server }) => new Promise<void>((resolve) => server.close(() => resolve()))),
    );
    clearTimeout(force);
    wss.close();
    for (const { socketPath } of listeners) if (socketPath) rmSync(socketPath, { force: true });
  };

  const addresses: string[] = [];
  try {
    for (const host of options.hosts) {
      const address = parseHostAddress(host);
      const transport: Transport = address.kind === 'unix' ? 'unix' : 'tcp';
      const server = transport === 'tcp' && tls ? https.createServer(tls) : http.createServer();
      server.on('request', (req: IncomingMessage, res: ServerResponse) => serveRequest(transport, req, res));
      server.on('upgrade', upgradeHandler(transport));
      server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) =>
        answerMalformedRequest(error, socket, log),
      );
      const listener: Listener = { server, socketPath: null };
      addresses.push(await listen(server, address, listener));
      listeners.push(listener);
    }
  } catch (error) {
    await close();
    throw error;
  }
  return { addresses, disconnectToken, close };
}

async function listen(server: http.Server, address: HostAddress, listener: Listener): Promise<string> {
  if (address.kind === 'unix') {
    await prepareSocketPath(address.path);
    // Bind with a umask that already yields 0600, so the socket is never briefly world-accessible.
    const previousUmask = process.umask(0o177);
    try {
      await listenOn(server, { path: address.path });
    } finally {
      process.umask(previousUmask);
    }
    listener.socketPath = address.path;
    await chmod(address.path, 0o600);
    return formatHostAddress(address);
  }
  await listenOn(server, { host: address.host, port: address.port });
  const bound = server.address();
  const port = typeof bound === 'object' && bound ? bound.port : address.port;
  return formatHostAddress({ ...address, port });
}

function listenOn(
  server: http.Server,
  target: { path: string } | { host: string; port: number },
): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      const where = 'path' in target ? target.path : `${target.host}:${target.port}`;
      reject(
        new StevedoreError(
          'UNAVAILABLE',
          `cannot listen on ${where}: ${error.message}`,
          { where },
          { cause: error },
        ),
      );
    };
    server.once('error', onError);
    server.listen(target, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

function bearerToken(header: string | undefined): string | null {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match ? (match[1] as string) : null;
}

/** A short text answer, once the request body nobody reads has been dropped (up to a limit). */
async function answerText(res: ServerResponse, status: number, text: string): Promise<void> {
  await discardBody(res.req, res);
  res.writeHead(status, { 'content-type': 'text/plain' }).end(text);
}

function refuseUpgrade(socket: Socket, status: number, reason: string, body: string): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  socket.once('finish', () => socket.destroy());
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: text/plain\r\n` +
      `WWW-Authenticate: Bearer\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

async function readPem(file: string, flag: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new StevedoreError('INVALID_ARGUMENT', `cannot read ${flag} ${file}: ${(error as Error).message}`, {
      file,
    });
  }
}
