import { rmSync } from 'node:fs';
import { chmod, readFile } from 'node:fs/promises';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import { isStevedoreError, StevedoreError, type TokenSummary } from '@stevedore/shared';
import { applyWSSHandler } from '@trpc/server/adapters/ws';
import { type WebSocket, WebSocketServer } from 'ws';
import type { Logger } from '../util/logger.js';
import { serveArchiveRoute } from './archive-routes.js';
import { formatHostAddress, type HostAddress, parseHostAddress } from './host-address.js';
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

export async function startApiServer(options: ApiServerOptions): Promise<ApiServer> {
  const { log } = options;
  const tls = options.tls
    ? {
        cert: await readPem(options.tls.certFile, '--tlscert'),
        key: await readPem(options.tls.keyFile, '--tlskey'),
      }
    : null;
  const wss = new WebSocketServer({ noServer: true });
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
    if (req.url === '/_ping' && (req.method === 'GET' || req.method === 'HEAD')) {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('OK');
      return;
    }
    if (transport === 'tcp') {
      const token = bearerToken(req.headers.authorization);
      if (!token || !options.verifyToken(token)) {
        log.warn({ remote: req.socket.remoteAddress }, 'refused an API request without a valid token');
        res.writeHead(401, { 'content-type': 'text/plain' }).end('a valid bearer token is required\n');
        req.resume();
        return;
      }
    }
    if (await serveArchiveRoute(req, res, options.services, log)) return;
    res
      .writeHead(426, { 'content-type': 'text/plain', upgrade: 'websocket' })
      .end('use a tRPC websocket client\n');
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
      server.on(
        'request',
        (req: IncomingMessage, res: ServerResponse) => void answerPlainRequest(transport, req, res),
      );
      server.on('upgrade', upgradeHandler(transport));
      server.on('clientError', (_error, socket) => socket.destroy());
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
