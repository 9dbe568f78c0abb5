import { EventEmitter } from 'node:events';
import type { IncomingMessage } from 'node:http';
import type { AgentClient } from '@stevedore/agent-api';
import {
  type AgentHttpRequest,
  type AgentHttpTarget,
  agentHttpRequest,
} from '@stevedore/agent-api/archive-client';
import type { HostConnectionState, HostStatus } from '@stevedore/shared';
import { StevedoreError } from '@stevedore/shared';
import type { Logger } from 'pino';
import { type EngineEventSink, HostEventFeed } from './host-event-feed';
import type { SshTarget } from './ssh-tunnel';

export type { AgentClient };

/** Where and how to reach one agent; credentials already decrypted. */
export interface AgentTarget {
  hostId: string;
  /** The host's name, for events and logs. */
  name: string;
  address: string;
  token?: string;
  caCert?: string;
  /** For SSH hosts: how to tunnel to the agent's socket (address is then only for display). */
  ssh?: SshTarget;
}

export interface AgentConnection {
  client: AgentClient;
  /** Where the agent's plain HTTP archive routes answer (through the SSH tunnel for SSH hosts). */
  http?: AgentHttpTarget;
  close(): Promise<void>;
}

export type ConnectAgent = (
  target: AgentTarget,
  events: { onOpen(): void; onClose(cause?: unknown): void },
) => AgentConnection;

interface Entry {
  target: AgentTarget;
  connection: AgentConnection;
  status: HostStatus;
  pingTimer: NodeJS.Timeout;
  feed: HostEventFeed | null;
}

export interface AgentHubOptions {
  pingIntervalMs?: number;
  /** Receives every host's engine events, resumed without gaps across reconnects. */
  events?: EngineEventSink;
}

/**
 * One websocket client per host, shared by every browser session. The transport reconnects by
 * itself with back-off; the hub turns its open/close events and a periodic ping into a host state.
 */
export class AgentHub {
  private readonly entries = new Map<string, Entry>();
  private readonly events = new EventEmitter();

  private readonly pingIntervalMs: number;
  private readonly eventSink: EngineEventSink | null;

  constructor(
    private readonly connect: ConnectAgent,
    private readonly log: Logger,
    options: AgentHubOptions = {},
  ) {
    this.pingIntervalMs = options.pingIntervalMs ?? 5_000;
    this.eventSink = options.events ?? null;
    this.events.setMaxListeners(0);
  }

  add(target: AgentTarget): void {
    void this.remove(target.hostId);
    const status: HostStatus = {
      hostId: target.hostId,
      state: 'connecting',
      lastError: null,
      lastSeen: null,
    };
    const { hostId } = target;
    // Callbacks of a replaced connection (the host was edited) must not touch its successor.
    const current = () => {
      const entry = this.entries.get(hostId);
      return entry?.connection === connection ? entry : undefined;
    };
    const connection = this.connect(target, {
      onOpen: () => {
        if (!current()) return;
        this.setState(hostId, 'online', null);
        void current()?.feed?.resume();
      },
      onClose: (cause) => {
        if (!current()) return;
        current()?.feed?.pause();
        this.setState(hostId, 'offline', describe(cause) ?? 'connection closed');
      },
    });
    const feed = this.eventSink
      ? new HostEventFeed({ hostId, name: target.name }, connection.client, this.eventSink, (error) =>
          this.log.warn({ hostId, err: error }, 'event stream failed'),
        )
      : null;
    const pingTimer = setInterval(() => void this.ping(hostId), this.pingIntervalMs);
    pingTimer.unref();
    this.entries.set(hostId, { target, connection, status, pingTimer, feed });
    this.emit(status);
  }

  /** Disconnects a host; resolves once its connection (and SSH tunnel, if any) is closed. */
  async remove(hostId: string): Promise<void> {
    const entry = this.entries.get(hostId);
    if (!entry) return;
    clearInterval(entry.pingTimer);
    entry.feed?.pause();
    this.entries.delete(hostId);
    await entry.connection
      .close()
      .catch((error) => this.log.warn({ hostId, error }, 'closing agent connection failed'));
  }

  status(hostId: string): HostStatus {
    return (
      this.entries.get(hostId)?.status ?? {
        hostId,
        state: 'offline',
        lastError: 'not connected',
        lastSeen: null,
      }
    );
  }

  /** Runs a call on a host's agent; fails fast with UNAVAILABLE when the host is not online. */
  async call<T>(hostId: string, fn: (client: AgentClient) => Promise<T>): Promise<T> {
    const entry = this.entries.get(hostId);
    if (!entry)
      throw new StevedoreError('NOT_FOUND', `host ${hostId} is not registered with the hub`, { hostId });
    if (entry.status.state === 'offline' || entry.status.state === 'connecting') {
      throw new StevedoreError(
        'UNAVAILABLE',
        `host is ${entry.status.state}${entry.status.lastError ? `: ${entry.status.lastError}` : ''}`,
        { hostId },
      );
    }
    const result = await fn(entry.connection.client);
    this.markSeen(hostId);
    return result;
  }

  /**
   * A streamed HTTP request on the agent's archive routes (save, load: too big for tRPC), on the
   * same path as the host's websocket; fails fast like `call` when the host is not online.
   */
  async httpRequest(hostId: string, request: AgentHttpRequest): Promise<IncomingMessage> {
    const target = await this.call(hostId, async () => this.entries.get(hostId)?.connection.http);
    if (!target) {
      throw new StevedoreError('UNAVAILABLE', "this host's connection carries no archive requests", {
        hostId,
      });
    }
    return agentHttpRequest(target, request);
  }

  /** Calls `listener` with every status change until the returned function is called. */
  onStatus(listener: (status: HostStatus) => void): () => void {
    this.events.on('status', listener);
    return () => this.events.off('status', listener);
  }

  async close(): Promise<void> {
    await Promise.all([...this.entries.keys()].map((hostId) => this.remove(hostId)));
  }

  private async ping(hostId: string): Promise<void> {
    const entry = this.entries.get(hostId);
    if (!entry || entry.status.state === 'offline' || entry.status.state === 'connecting') return;
    try {
      await withTimeout(entry.connection.client.system.ping.query(), this.pingIntervalMs);
      this.setState(hostId, 'online', null);
    } catch (error) {
      // The socket is open but the agent does not answer in time: degraded, not offline.
      this.setState(hostId, 'degraded', describe(error) ?? 'ping failed');
    }
  }

  private markSeen(hostId: string): void {
    const entry = this.entries.get(hostId);
    if (entry) entry.status = { ...entry.status, lastSeen: new Date().toISOString() };
  }

  private setState(hostId: string, state: HostConnectionState, lastError: string | null): void {
    const entry = this.entries.get(hostId);
    if (!entry) return;
    const lastSeen = state === 'online' ? new Date().toISOString() : entry.status.lastSeen;
    const changed = entry.status.state !== state || entry.status.lastError !== lastError;
    entry.status = { hostId, state, lastError, lastSeen };
    if (changed) {
      this.log.info({ hostId, state, lastError }, 'host state changed');
      this.emit(entry.status);
    }
  }

  private emit(status: HostStatus): void {
    this.events.emit('status', status);
  }
}

function describe(cause: unknown): string | null {
  if (cause === undefined || cause === null) return null;
  if (cause instanceof Error) return cause.message;
  if (typeof cause === 'object' && 'code' in cause) return `closed with code ${String(cause.code)}`;
  return String(cause);
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
