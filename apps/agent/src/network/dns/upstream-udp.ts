import { randomInt } from 'node:crypto';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';

export interface Upstream {
  host: string;
  port: number;
  family: 4 | 6;
}

interface Pending {
  /** The client's own id, put back into the answer. */
  clientId: number;
  settle(error: Error | null, response?: Buffer): void;
}

interface Channel {
  socket: UdpSocket;
  ready: Promise<void>;
  /** In-flight queries by the id they carry upstream. */
  pending: Map<number, Pending>;
}

const HEADER_BYTES = 12;
const RESPONSE_BIT = 0x8000;
const ID_SPACE = 0x10000;

/**
 * UDP to upstream resolvers over one connected socket per upstream, shared by every query of the
 * server (a socket per query let a flooding container use up the agent's file descriptors). Each
 * query goes out under a random id that no other query to that upstream holds, and the answer
 * gets the client's id back. A connected socket only hears its upstream, and learns at once when
 * the upstream's port is closed (every query waiting on it fails then).
 */
export class UpstreamUdp {
  private readonly channels = new Map<string, Channel>();

  /** The upstream's answer to `message`, with `message`'s id; rejects on error, timeout or abort. */
  exchange(message: Buffer, upstream: Upstream, timeoutMs: number, signal: AbortSignal): Promise<Buffer> {
    const where = `${upstream.host}:${upstream.port}/udp`;
    const channel = this.channelFor(upstream);
    if (channel.pending.size >= ID_SPACE / 2) {
      return Promise.reject(new Error(`too many queries in flight to ${where}`));
    }
    let id = randomInt(ID_SPACE);
    while (channel.pending.has(id)) id = randomInt(ID_SPACE);
    const query = Buffer.from(message);
    query.writeUInt16BE(id, 0);
    return new Promise((resolve, reject) => {
      let settled = false;
      const onAbort = () => settle(new Error(`stopped while asking ${where}`));
      const timer = setTimeout(() => settle(new Error(`no answer from ${where}`)), timeoutMs);
      function settle(error: Error | null, response?: Buffer): void {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        channel.pending.delete(id);
        if (error || !response) reject(error ?? new Error(`empty answer from ${where}`));
        else resolve(response);
      }
      signal.addEventListener('abort', onAbort);
      channel.pending.set(id, { clientId: message.readUInt16BE(0), settle });
      channel.ready
        .then(() => channel.socket.send(query, (error) => error && settle(error)))
        .catch((error: unknown) => settle(error instanceof Error ? error : new Error(String(error))));
    });
  }

  /** Sockets open now (one per upstream in use). */
  get socketCount(): number {
    return this.channels.size;
  }

  close(): void {
    for (const [key, channel] of this.channels) this.drop(key, channel, new Error('the DNS server stopped'));
  }

  private channelFor(upstream: Upstream): Channel {
    const key = `${upstream.host}|${upstream.port}`;
    const existing = this.channels.get(key);
    if (existing) return existing;
    const socket = createSocket(upstream.family === 6 ? 'udp6' : 'udp4');
    const pending = new Map<number, Pending>();
    const ready = new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    const channel: Channel = { socket, ready, pending };
    // ECONNREFUSED (the upstream's port is closed) and the like: every query waiting on it fails.
    socket.on('error', (error) => this.drop(key, channel, error));
    socket.on('message', (response) => {
      if (response.length < HEADER_BYTES || (response.readUInt16BE(2) & RESPONSE_BIT) === 0) return;
      const waiting = pending.get(response.readUInt16BE(0));
      if (!waiting) return;
      const answer = Buffer.from(response);
      answer.writeUInt16BE(waiting.clientId, 0);
      waiting.settle(null, answer);
    });
    socket.connect(upstream.port, upstream.host);
    // Whoever waits on `ready` sees a failure; this handler only keeps it from being unhandled.
    ready.catch(() => {});
    this.channels.set(key, channel);
    return channel;
  }

  private drop(key: string, channel: Channel, error: Error): void {
    if (this.channels.get(key) === channel) this.channels.delete(key);
    for (const waiting of [...channel.pending.values()]) waiting.settle(error);
    try {
      channel.socket.close();
    } catch {
      // Already closed: nothing more to release.
    }
  }
}
