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
import { heartbeatDecision, livenessDecision, withTimeout } from './liveness';
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
  /** Sends a heartbeat on the open socket (its answer counts as activity); false when none is open. */
  heartbeat?(): boolean;
  /** Closes the open socket (its heartbeat went unanswered); the transport connects again. */
  drop?(): void;
  close(): Promise<void>;
}

export type ConnectAgent = (
  target: AgentTarget,
  events: {
    onOpen(): void;
    onClose(cause?: unknown): void;
    /** Any message from the agent (answers, events, heartbeats): it is alive. */
    onActivity?(): void;
  },
) => AgentConnection;

interface Entry {
  target: AgentTarget;
  /** Made at once for a followed host, on the first call for one another process follows. */
  connection: AgentConnection | null;
  open: boolean;
  openWaiters: Set<() => void>;
  /** This process follows the host: its event feed, pings and status are ours to keep. */
  followed: boolean;
  /**
   * The host's state as this process sees it (meaningful while followed). Its lastSeen is kept as
   * of the last change; while online, `status` reports `lastHeard` instead.
   */
  status: HostStatus;
  /** The host's state as the process that follows it reports it (cluster mode, not followed here). */
  remoteStatus: HostStatus | null;
  /** When the agent last sent anything (ms): a host heard from recently needs no ping. */
  lastHeard: number;
  /** When the last heartbeat was sent (ms); unanswered while nothing was heard since. */
  heartbeatAt: number;
  pinging: boolean;
  feed: HostEventFeed | null;
}

export interface AgentHubOptions {
  pingIntervalMs?: number;
  /** Receives every followed host's engine events, resumed without gaps across reconnects. */
  events?: EngineEventSink;
  /**
   * Follow every host as soon as it is added (one process, the default). With `false` (several
   * processes on PostgreSQL) a host is followed only once `follow` is called — when this process
   * holds its lease — and calls to the others go over a connection of their own.
   */
  followOnAdd?: boolean;
}

/** How long a call to a host another process follows waits for this process's connection to open. */
const CALL_OPEN_TIMEOUT_MS = 5_000;

/**
 * One websocket client per host, shared by every browser session. The transport reconnects by
 * itself with back-off; the hub turns its open/close events, the messages it hears (events,
 * answers, heartbeats) and a ping of hosts gone silent into a host state.
 */
export class AgentHub {
  private readonly entries = new Map<string, Entry>();
  private readonly events = new EventEmitter();

  private readonly pingIntervalMs: number;
  /**
   * A connection quiet this long gets a heartbeat (a websocket ping), twice per ping interval, so
   * it never looks silent for a whole interval while the agent answers; one unanswered this long is
   * dropped and connects again.
   */
  private readonly heartbeatMs: number;
  /** How often a followed host's liveness is looked at (a timestamp comparison, no call). */
  private readonly checkEveryMs: number;
  private readonly eventSink: EngineEventSink | null;
  private readonly followOnAdd: boolean;
  /** Looks at every followed host's liveness (one timer for the fleet, not one per host). */
  private livenessTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly connect: ConnectAgent,
    private readonly log: Logger,
    options: AgentHubOptions = {},
  ) {
    this.pingIntervalMs = options.pingIntervalMs ?? 5_000;
    this.heartbeatMs = Math.max(100, Math.floor(this.pingIntervalMs / 2));
    this.checkEveryMs = Math.min(1_000, Math.ceil(this.pingIntervalMs / 5));
    this.eventSink = options.events ?? null;
    this.followOnAdd = options.followOnAdd ?? true;
    this.events.setMaxListeners(0);
  }

  /** Registers a host (or replaces its target: the host was edited); it stays followed if it was. */
  add(target: AgentTarget): void {
    const previous = this.entries.get(target.hostId);
    void this.remove(target.hostId);
    const entry: Entry = {
      target,
      connection: null,
      open: false,
      openWaiters: new Set(),
      followed: false,
      status: { hostId: target.hostId, state: 'connecting', lastError: null, lastSeen: null },
      remoteStatus: previous?.remoteStatus ?? null,
      lastHeard: 0,
      heartbeatAt: 0,
      pinging: false,
      feed: null,
    };
    this.entries.set(target.hostId, entry);
    if (this.followOnAdd || previous?.followed) this.follow(target.hostId);
    else this.emit(this.status(target.hostId), false);
  }

  /** Starts following a registered host: connection, event feed, pings; its status is ours. */
  follow(hostId: string): void {
    const entry = this.entries.get(hostId);
    if (!entry || entry.followed) return;
    entry.followed = true;
    const connection = this.ensureConnection(entry);
    entry.status = {
      hostId,
      state: entry.open ? 'online' : 'connecting',
      lastError: null,
      lastSeen: entry.open ? new Date().toISOString() : null,
    };
    entry.feed = this.eventSink
      ? new HostEventFeed({ hostId, name: entry.target.name }, connection.client, this.eventSink, (error) =>
          this.log.warn({ hostId, err: error }, 'event stream failed'),
        )
      : null;
    if (entry.open) void entry.feed?.resume();
    this.emit(entry.status, true);
  }

  /**
   * Stops following a host (another process holds its lease now). The connection stays for calls:
   * a browser's log stream or terminal running over it is not cut.
   */
  unfollow(hostId: string): void {
    const entry = this.entries.get(hostId);
    if (!entry?.followed) return;
    entry.followed = false;
    entry.feed?.pause();
    entry.feed = null;
    // Until the new holder reports, the last state seen here is the best one known.
    entry.remoteStatus = this.followedStatus(entry);
  }

  isFollowed(hostId: string): boolean {
    return this.entries.get(hostId)?.followed ?? false;
  }

  /** Every registered host's id. */
  hostIds(): string[] {
    return [...this.entries.keys()];
  }

  /** The target a host is registered with, if it is. */
  target(hostId: string): AgentTarget | undefined {
    return this.entries.get(hostId)?.target;
  }

  /** A host's state as reported by the process that follows it; ignored while this one does. */
  applyRemoteStatus(status: HostStatus): void {
    const entry = this.entries.get(status.hostId);
    if (!entry || entry.followed) return;
    const before = entry.remoteStatus;
    entry.remoteStatus = status;
    if (before?.state !== status.state || before?.lastError !== status.lastError) this.emit(status, false);
  }

  /** Disconnects a host; resolves once its connection (and SSH tunnel, if any) is closed. */
  async remove(hostId: string): Promise<void> {
    const entry = this.entries.get(hostId);
    if (!entry) return;
    entry.feed?.pause();
    this.entries.delete(hostId);
    for (const wake of entry.openWaiters) wake();
    await entry.connection
      ?.close()
      .catch((error) => this.log.warn({ hostId, error }, 'closing agent connection failed'));
  }

  status(hostId: string): HostStatus {
    const entry = this.entries.get(hostId);
    if (!entry) return { hostId, state: 'offline', lastError: 'not connected', lastSeen: null };
    if (entry.followed) return this.followedStatus(entry);
    return (
      entry.remoteStatus ?? {
        hostId,
        state: 'connecting',
        lastError: 'waiting for a dashboard process to follow this host',
        lastSeen: null,
      }
    );
  }

  /** Runs a call on a host's agent; fails fast with UNAVAILABLE when the host is not online. */
  async call<T>(hostId: string, fn: (client: AgentClient) => Promise<T>): Promise<T> {
    const entry = this.entries.get(hostId);
    if (!entry)
      throw new StevedoreError('NOT_FOUND', `host ${hostId} is not registered with the hub`, { hostId });
    if (!entry.followed) return fn(await this.openConnection(entry));
    if (entry.status.state === 'offline' || entry.status.state === 'connecting') {
      throw new StevedoreError(
        'UNAVAILABLE',
        `host is ${entry.status.state}${entry.status.lastError ? `: ${entry.status.lastError}` : ''}`,
        { hostId },
      );
    }
    const result = await fn((entry.connection as AgentConnection).client);
    this.markSeen(hostId);
    return result;
  }

  /**
   * A streamed HTTP request on the agent's archive routes (save, load: too big for tRPC), on the
   * same path as the host's websocket; fails fast like `call` when the host is not online.
   */
  async httpRequest(hostId: string, request: AgentHttpRequest): Promise<IncomingMessage> {
    const target = await this.call(hostId, async () => this.entries.get(hostId)?.connection?.http);
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

  /** Status changes of the hosts this process follows only (what it reports to the others). */
  onFollowedStatus(listener: (status: HostStatus) => void): () => void {
    this.events.on('followed-status', listener);
    return () => this.events.off('followed-status', listener);
  }

  async close(): Promise<void> {
    if (this.livenessTimer) clearInterval(this.livenessTimer);
    this.livenessTimer = null;
    await Promise.all([...this.entries.keys()].map((hostId) => this.remove(hostId)));
  }

  private ensureConnection(entry: Entry): AgentConnection {
    if (entry.connection) return entry.connection;
    if (!this.livenessTimer) {
      this.livenessTimer = setInterval(() => this.checkAll(), this.checkEveryMs);
      this.livenessTimer.unref();
    }
    const { hostId } = entry.target;
    // Callbacks of a replaced connection (the host was edited) must not touch its successor.
    const current = () => {
      const found = this.entries.get(hostId);
      return found?.connection === connection ? found : undefined;
    };
    const connection = this.connect(entry.target, {
      onOpen: () => {
        const live = current();
        if (!live) return;
        live.open = true;
        live.lastHeard = Date.now();
        for (const wake of live.openWaiters) wake();
        if (!live.followed) return;
        this.setState(hostId, 'online', null);
        void live.feed?.resume();
      },
      onClose: (cause) => {
        const live = current();
        if (!live) return;
        live.open = false;
        if (!live.followed) return;
        live.feed?.pause();
        this.setState(hostId, 'offline', describe(cause) ?? 'connection closed');
      },
      onActivity: () => {
        const live = current();
        if (live) live.lastHeard = Date.now();
      },
    });
    entry.connection = connection;
    return connection;
  }

  /** The connection of a host another process follows, once open (or UNAVAILABLE in time). */
  private async openConnection(entry: Entry): Promise<AgentClient> {
    const connection = this.ensureConnection(entry);
    if (!entry.open) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, CALL_OPEN_TIMEOUT_MS);
        function done() {
          clearTimeout(timer);
          entry.openWaiters.delete(done);
          resolve();
        }
        entry.openWaiters.add(done);
      });
    }
    if (!entry.open || this.entries.get(entry.target.hostId) !== entry) {
      const known = entry.remoteStatus;
      throw new StevedoreError(
        'UNAVAILABLE',
        `host is unreachable from this dashboard process${known?.lastError ? `: ${known.lastError}` : ''}`,
        { hostId: entry.target.hostId },
      );
    }
    return connection.client;
  }

  /** A followed host's status; an online one was last seen when it was last heard from. */
  private followedStatus(entry: Entry): HostStatus {
    if (entry.status.state !== 'online' || entry.lastHeard === 0) return entry.status;
    return { ...entry.status, lastSeen: new Date(entry.lastHeard).toISOString() };
  }

  /**
   * Every followed host's liveness, each second: one heard from within the ping interval (an event,
   * an answer, the transport's heartbeat) is online without a call; only a silent one is pinged, and
   * one that does not answer in time is degraded — within two intervals of going quiet, as with a
   * ping each time. With 500 hosts this runs 500 times a second: the usual case allocates nothing.
   */
  private checkAll(): void {
    const nowMs = Date.now();
    for (const entry of this.entries.values()) {
      if (!entry.connection) continue;
      this.keepAlive(entry, entry.connection, nowMs);
      if (!entry.followed) continue;
      const { hostId } = entry.target;
      const { state } = entry.status;
      if (state === 'offline' || state === 'connecting') continue;
      const decision = livenessDecision({
        nowMs,
        lastHeardMs: entry.lastHeard,
        pingIntervalMs: this.pingIntervalMs,
        pinging: entry.pinging,
      });
      if (decision === 'alive') {
        if (state === 'degraded') this.setState(hostId, 'online', null);
      } else if (decision === 'ping') {
        void this.ping(hostId, entry, entry.connection);
      }
    }
  }

  /** A quiet connection's heartbeat, and the drop of one whose heartbeat went unanswered. */
  private keepAlive(entry: Entry, connection: AgentConnection, nowMs: number): void {
    if (!entry.open || !connection.heartbeat) {
      entry.heartbeatAt = 0;
      return;
    }
    const decision = heartbeatDecision({
      nowMs,
      lastHeardMs: entry.lastHeard,
      heartbeatAtMs: entry.heartbeatAt,
      heartbeatMs: this.heartbeatMs,
    });
    if (decision === 'drop') {
      entry.heartbeatAt = 0;
      connection.drop?.();
    } else if (decision === 'send') {
      entry.heartbeatAt = connection.heartbeat() ? nowMs : 0;
    }
  }

  private async ping(hostId: string, entry: Entry, connection: AgentConnection): Promise<void> {
    entry.pinging = true;
    try {
      // Started up to one check late: the answer is due by two intervals after the last message.
      await withTimeout(
        connection.client.system.ping.query(),
        Math.max(1, this.pingIntervalMs - this.checkEveryMs),
      );
      entry.lastHeard = Date.now();
      this.setState(hostId, 'online', null);
    } catch (error) {
      // The socket is open but the agent does not answer in time: degraded, not offline.
      this.setState(hostId, 'degraded', describe(error) ?? 'ping failed');
    } finally {
      entry.pinging = false;
    }
  }

  private markSeen(hostId: string): void {
    const entry = this.entries.get(hostId);
    if (entry) entry.lastHeard = Date.now();
  }

  private setState(hostId: string, state: HostConnectionState, lastError: string | null): void {
    const entry = this.entries.get(hostId);
    if (!entry?.followed) return;
    if (entry.status.state === state && entry.status.lastError === lastError) return;
    // Leaving online, the host was last seen when it was last heard from (while online it is derived).
    const { lastSeen } = this.followedStatus(entry);
    entry.status = { hostId, state, lastError, lastSeen };
    this.log.info({ hostId, state, lastError }, 'host state changed');
    this.emit(this.followedStatus(entry), true);
  }

  private emit(status: HostStatus, followed: boolean): void {
    this.events.emit('status', status);
    if (followed) this.events.emit('followed-status', status);
  }
}

function describe(cause: unknown): string | null {
  if (cause === undefined || cause === null) return null;
  if (cause instanceof Error) return cause.message;
  if (typeof cause === 'object' && 'code' in cause) return `closed with code ${String(cause.code)}`;
  return String(cause);
}
