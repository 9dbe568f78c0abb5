import pg from 'pg';
import type { Logger } from 'pino';
import { CLUSTER_CHANNEL, type ClusterMessage, decodeMessage, encodeMessage } from './messages';

const RECONNECT_MS = 1_000;

/**
 * PostgreSQL LISTEN/NOTIFY between the dashboard processes. One connection listens (and comes back
 * after a failure, then `onReconnect` lets the caller re-read what it may have missed); one
 * connection publishes, so a process's messages arrive in the order it sent them.
 */
export class ClusterBus {
  private listener: pg.Client | null = null;
  private publisher: Promise<pg.Client> | null = null;
  private closed = false;
  /** Publications go one after another on the one connection: in order, never overlapping. */
  private publishing: Promise<unknown> = Promise.resolve();
  private reconnectTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly url: string,
    private readonly processId: string,
    private readonly handlers: {
      onMessage(message: ClusterMessage): void;
      onReconnect(): void;
    },
    private readonly log: Logger,
  ) {}

  async start(): Promise<void> {
    await this.publisherClient();
    await this.listen();
  }

  /** Sends a message to the other processes; false when it is too large for a notification. */
  async publish(message: ClusterMessage): Promise<boolean> {
    const payload = encodeMessage(message);
    if (payload === null) return false;
    const sent = this.publishing.then(async () => {
      const client = await this.publisherClient();
      await client.query('SELECT pg_notify($1, $2)', [CLUSTER_CHANNEL, payload]);
    });
    // The chain goes on after a failure; this caller sees (and logs) it.
    this.publishing = sent.catch(() => undefined);
    await sent;
    return true;
  }

  /** The publishing connection, made again after it failed. */
  private publisherClient(): Promise<pg.Client> {
    if (this.publisher) return this.publisher;
    const client = new pg.Client({ connectionString: this.url });
    const connecting = client.connect().then(() => client);
    this.publisher = connecting;
    const forget = () => {
      if (this.publisher === connecting) this.publisher = null;
    };
    client.on('error', (error) => {
      this.log.warn({ err: error }, 'cluster publisher connection failed');
      forget();
    });
    client.on('end', forget);
    connecting.catch(forget);
    return connecting;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    await Promise.allSettled([this.listener?.end(), this.publisher?.then((client) => client.end())]);
  }

  private async listen(): Promise<void> {
    const client = new pg.Client({ connectionString: this.url });
    this.listener = client;
    client.on('notification', (notification) => {
      if (notification.channel !== CLUSTER_CHANNEL || !notification.payload) return;
      const decoded = decodeMessage(notification.payload);
      if ('error' in decoded) {
        this.log.warn({ error: decoded.error }, 'ignored a malformed cluster message');
        return;
      }
      if (decoded.message.from === this.processId) return; // our own, echoed back
      this.handlers.onMessage(decoded.message);
    });
    client.on('error', (error) => {
      this.log.warn({ err: error }, 'cluster listener connection failed; reconnecting');
      this.scheduleReconnect(client);
    });
    client.on('end', () => this.scheduleReconnect(client));
    await client.connect();
    await client.query(`LISTEN ${CLUSTER_CHANNEL}`);
  }

  private scheduleReconnect(failed: pg.Client): void {
    if (this.closed || this.listener !== failed || this.reconnectTimer) return;
    failed.removeAllListeners('end');
    // The failed client is beyond use; ending it only releases its socket.
    failed.end().catch((error: unknown) => this.log.debug({ err: error }, 'ending a failed listener'));
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      this.listen()
        .then(() => this.handlers.onReconnect())
        .catch((error: unknown) => {
          this.log.warn({ err: error }, 'cluster listener could not reconnect; retrying');
          if (this.listener) this.scheduleReconnect(this.listener);
        });
    }, RECONNECT_MS);
  }
}
