import { createTRPCClient, createWSClient, type TRPCClient, wsLink } from '@trpc/client';
import WebSocket, { type ClientOptions } from 'ws';
import type { AgentRouter } from './router.js';

export type { AgentErrorData, AgentRouter } from './router.js';

export type AgentClient = TRPCClient<AgentRouter>;

/** Why a connection attempt failed, as far as the socket layer tells. */
export interface AgentConnectionError {
  message: string;
  /** errno-style code such as ECONNREFUSED or ENOENT, when the failure had one. */
  code?: string;
  /** HTTP status the agent answered the upgrade with, e.g. 401 for a missing or wrong token. */
  statusCode?: number;
}

export type AgentConnectionState =
  | { state: 'connecting'; error: AgentConnectionError | null }
  | { state: 'open' }
  | { state: 'idle' };

export interface AgentClientOptions {
  /** `unix:///path`, `tcp://ip:port`, `http(s)://host:port` or `ws(s)://host:port`. */
  host: string;
  /** Bearer token, required for TCP listeners; ignored by the unix socket. */
  token?: string;
  /** PEM CA certificate(s) to trust for TLS; pins a self-signed agent certificate. */
  ca?: string;
  onStateChange?: (state: AgentConnectionState) => void;
  onOpen?: () => void;
  onClose?: (cause?: { code?: number }) => void;
  /** Delay before reconnect attempt N (0-based); defaults to tRPC's exponential back-off. */
  retryDelayMs?: (attemptIndex: number) => number;
  /** Seconds to wait for the websocket handshake before the attempt counts as failed. */
  handshakeTimeoutMs?: number;
  /**
   * The transport's heartbeat: after this long without a message from the agent the client sends
   * a PING and closes the connection if no PONG comes within `pongTimeoutMs` (default 10 s / 5 s).
   * `false`: none; the caller keeps the connection alive with `heartbeat` and `drop` (one timer for
   * many connections, where tRPC's re-arms one per connection on every message).
   */
  keepAlive?: { intervalMs: number; pongTimeoutMs: number } | false;
  /** Called on every message from the agent (answers, subscription data, pongs): it is alive. */
  onMessage?: () => void;
}

export interface AgentConnection {
  client: AgentClient;
  /** Sends a websocket ping on the open socket (its pong counts as a message); false when none is open. */
  heartbeat(): boolean;
  /** Closes the open socket (it stopped answering); the client connects again as after any close. */
  drop(): void;
  close(): Promise<void>;
}

/**
 * Converts an agent address to a websocket URL. `tcp://` is plain unless a CA is given (Docker's
 * `-H tcp://... --tlscacert` means TLS); unix sockets use ws's `ws+unix:///path:/` form.
 */
export function agentWebSocketUrl(host: string, tls = false): string {
  if (host.startsWith('unix://')) {
    const path = host.slice('unix://'.length);
    if (!path.startsWith('/')) throw new Error(`invalid agent address "${host}": use unix:///absolute/path`);
    return `ws+unix://${path}:/`;
  }
  const match = /^(tcp|https?|wss?):\/\/([^/]+)\/?$/.exec(host);
  if (!match) {
    throw new Error(`invalid agent address "${host}": use unix:///path, tcp://ip:port or https://host:port`);
  }
  const [, scheme, authority] = match;
  const secure = scheme === 'https' || scheme === 'wss' || (scheme === 'tcp' && tls);
  return `${secure ? 'wss' : 'ws'}://${authority}/`;
}

/** The largest message the client takes from an agent (its biggest answers are lists of a few MiB). */
export const AGENT_MESSAGE_LIMIT = 64 * 1024 * 1024;

export function createAgentClient(options: AgentClientOptions): AgentConnection {
  const url = agentWebSocketUrl(options.host, options.ca !== undefined);
  let lastSocketError: AgentConnectionError | null = null;
  const socketOptions: ClientOptions = {
    headers: options.token ? { authorization: `Bearer ${options.token}` } : {},
    handshakeTimeout: options.handshakeTimeoutMs ?? 10_000,
    // One message from an agent (the dashboard talks to many, any of them may be compromised)
    // never holds more than this of the client's memory; a bigger one closes the connection.
    maxPayload: AGENT_MESSAGE_LIMIT,
    ...(options.ca !== undefined ? { ca: options.ca } : {}),
  };

  let openSocket: WebSocket | null = null;
  // tRPC constructs sockets itself with only a URL; this subclass adds the header and TLS trust.
  class AgentWebSocket extends WebSocket {
    constructor(address: string | URL, protocols?: string | string[]) {
      super(address, protocols, socketOptions);
      this.on('error', (error: NodeJS.ErrnoException) => {
        lastSocketError = describeSocketError(error);
      });
      this.on('open', () => {
        lastSocketError = null;
        openSocket = this;
      });
      this.on('close', () => {
        if (openSocket === this) openSocket = null;
      });
      const { onMessage } = options;
      if (onMessage) {
        this.on('message', () => onMessage());
        this.on('pong', () => onMessage());
      }
    }
  }

  const keepAlive =
    options.keepAlive === false
      ? { enabled: false }
      : { enabled: true, ...(options.keepAlive ?? { intervalMs: 10_000, pongTimeoutMs: 5_000 }) };
  const wsClient = createWSClient({
    url,
    WebSocket: AgentWebSocket as unknown as typeof globalThis.WebSocket,
    keepAlive,
    ...(options.retryDelayMs ? { retryDelayMs: options.retryDelayMs } : {}),
    onOpen: options.onOpen,
    onClose: options.onClose,
  });

  const subscription = options.onStateChange
    ? wsClient.connectionState.subscribe({
        next: (state) => {
          const onStateChange = options.onStateChange as (state: AgentConnectionState) => void;
          if (state.state === 'pending') onStateChange({ state: 'open' });
          else if (state.state === 'idle') onStateChange({ state: 'idle' });
          else {
            const fallback = state.error ? { message: state.error.message } : null;
            onStateChange({ state: 'connecting', error: state.error ? (lastSocketError ?? fallback) : null });
          }
        },
      })
    : null;

  const client = createTRPCClient<AgentRouter>({ links: [wsLink<AgentRouter>({ client: wsClient })] });
  return {
    client,
    heartbeat: () => {
      if (openSocket?.readyState !== WebSocket.OPEN) return false;
      openSocket.ping();
      return true;
    },
    drop: () => openSocket?.close(),
    close: async () => {
      await wsClient.close();
      subscription?.unsubscribe();
    },
  };
}

/** A connection failure as an Error carrying the socket-level details (code, HTTP status). */
export type AgentConnectFailure = Error & AgentConnectionError;

/**
 * Connects once and resolves when the socket is open; rejects with the first connection error and
 * stops, instead of reconnecting (for the CLI and tests, which should fail fast).
 */
export function connectAgentOnce(
  options: Omit<AgentClientOptions, 'retryDelayMs' | 'onStateChange'> & {
    /**
     * Once open, a dropped connection closes the client instead of reconnecting: its
     * subscriptions end rather than being sent again to whatever agent answers next (the CLI).
     */
    closeOnDrop?: boolean;
  },
): Promise<AgentConnection> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const connection = createAgentClient({
      ...options,
      retryDelayMs: () => 0,
      onStateChange: (state) => {
        if (settled) {
          if (options.closeOnDrop && state.state === 'connecting') void connection.close();
          return;
        }
        if (state.state === 'open') {
          settled = true;
          resolve(connection);
        } else if (state.state === 'connecting' && state.error) {
          settled = true;
          void connection.close();
          reject(Object.assign(new Error(state.error.message), state.error) as AgentConnectFailure);
        }
      },
    });
  });
}

function describeSocketError(error: NodeJS.ErrnoException): AgentConnectionError {
  const status = /Unexpected server response: (\d{3})/.exec(error.message);
  if (status) return { message: error.message, statusCode: Number(status[1]) };
  return error.code ? { message: error.message, code: error.code } : { message: error.message };
}
