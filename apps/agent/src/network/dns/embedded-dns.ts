import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { connect, createServer, type Server, type Socket } from 'node:net';
import dnsPacket from 'dns-packet';
import type { Logger } from '../../util/logger.js';

export interface EmbeddedDnsOptions {
  /** The network's gateway address, which members use as their nameserver. */
  address: string;
  port?: number;
  /** IPv4 addresses of a member's name or alias; [] when the network does not know it. Live. */
  lookup(name: string): string[];
  /** Resolvers for every other name ("ip" or "ip:port"), tried in order. Read per query. */
  upstreams(): string[];
  log?: Logger;
  upstreamTimeoutMs?: number;
}

const RCODE_SERVFAIL = 2;
const RCODE_NXDOMAIN = 3;
const TRUNCATED = 1 << 9;

/**
 * A user network's resolver (Docker's 127.0.0.11, here on the bridge address): members by name
 * and alias, everything else forwarded unchanged to the upstream resolvers. UDP and TCP.
 */
export class EmbeddedDns {
  private udp: UdpSocket | null = null;
  private tcp: Server | null = null;
  private readonly connections = new Set<Socket>();

  constructor(private readonly options: EmbeddedDnsOptions) {}

  private get port(): number {
    return this.options.port ?? 53;
  }

  async start(): Promise<void> {
    const where = `${this.options.address}:${this.port}`;
    const udp = createSocket({ type: 'udp4' });
    await new Promise<void>((resolve, reject) => {
      udp.once('error', (error) => reject(new Error(`DNS on ${where}/udp: ${error.message}`)));
      udp.bind({ address: this.options.address, port: this.port, exclusive: true }, () => resolve());
    });
    udp.removeAllListeners('error');
    udp.on('error', (error) => this.options.log?.warn({ err: error }, 'DNS socket error'));
    udp.on('message', (message, remote) => {
      void this.answer(message, false).then((reply) => {
        if (reply) udp.send(reply, remote.port, remote.address);
      });
    });
    const tcp = createServer((socket) => this.serveTcp(socket));
    try {
      await new Promise<void>((resolve, reject) => {
        tcp.once('error', (error) => reject(new Error(`DNS on ${where}/tcp: ${error.message}`)));
        tcp.listen({ host: this.options.address, port: this.port, exclusive: true }, () => resolve());
      });
    } catch (error) {
      udp.close();
      throw error;
    }
    tcp.on('error', () => {});
    this.udp = udp;
    this.tcp = tcp;
  }

  async stop(): Promise<void> {
    for (const socket of this.connections) socket.destroy();
    const udp = this.udp;
    const tcp = this.tcp;
    this.udp = null;
    this.tcp = null;
    await Promise.all([
      udp ? new Promise<void>((resolve) => udp.close(() => resolve())) : null,
      tcp ? new Promise<void>((resolve) => tcp.close(() => resolve())) : null,
    ]);
  }

  private serveTcp(socket: Socket): void {
    this.connections.add(socket);
    socket.on('close', () => this.connections.delete(socket));
    socket.on('error', () => socket.destroy());
    let buffered = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      buffered = Buffer.concat([buffered, chunk]);
      while (buffered.length >= 2) {
        const length = buffered.readUInt16BE(0);
        if (buffered.length < 2 + length) break;
        const message = buffered.subarray(2, 2 + length);
        buffered = buffered.subarray(2 + length);
        void this.answer(message, true).then((reply) => {
          if (!reply) {
            socket.destroy();
            return;
          }
          const prefix = Buffer.alloc(2);
          prefix.writeUInt16BE(reply.length);
          socket.write(Buffer.concat([prefix, reply]));
        });
      }
    });
  }

  /** The reply to one query; null for a message that is not a query (dropped). */
  private async answer(message: Buffer, overTcp: boolean): Promise<Buffer | null> {
    let query: dnsPacket.Packet;
    try {
      query = dnsPacket.decode(message);
    } catch {
      return null;
    }
    const question = query.questions?.[0];
    if (query.type !== 'query' || !question) return null;
    const name = question.name.replace(/\.$/, '').toLowerCase();
    const addresses = this.options.lookup(name);
    if (addresses.length > 0) {
      const answers =
        question.type === 'A'
          ? addresses.map((data) => ({ type: 'A' as const, name: question.name, ttl: 600, data }))
          : [];
      return reply(query, dnsPacket.AUTHORITATIVE_ANSWER, answers);
    }
    // Docker's rule: an unknown single-label name is not sent upstream.
    if (!name.includes('.') && question.type !== 'PTR') return reply(query, RCODE_NXDOMAIN);
    for (const upstream of this.options.upstreams()) {
      const [host = '', portText] = upstream.split(':');
      const port = portText ? Number(portText) : 53;
      try {
        const response = await this.forwardUdp(message, host, port);
        if (overTcp && (response.readUInt16BE(2) & TRUNCATED) !== 0) {
          return await this.forwardTcp(message, host, port);
        }
        return response;
      } catch (error) {
        this.options.log?.debug({ err: error, upstream }, 'upstream resolver failed');
      }
    }
    return reply(query, RCODE_SERVFAIL);
  }

  private forwardUdp(message: Buffer, host: string, port: number): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const socket = createSocket('udp4');
      const timer = setTimeout(() => finish(new Error(`no answer from ${host}:${port}`)), this.timeoutMs);
      const finish = (error: Error | null, response?: Buffer) => {
        clearTimeout(timer);
        socket.close();
        if (error) reject(error);
        else resolve(response as Buffer);
      };
      socket.on('error', (error) => finish(error));
      socket.on('message', (response) => {
        if (response.length >= 2 && response.readUInt16BE(0) === message.readUInt16BE(0))
          finish(null, response);
      });
      socket.send(message, port, host);
    });
  }

  private forwardTcp(message: Buffer, host: string, port: number): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host, port });
      const timer = setTimeout(
        () => socket.destroy(new Error(`no answer from ${host}:${port}/tcp`)),
        this.timeoutMs,
      );
      let received = Buffer.alloc(0);
      socket.on('connect', () => {
        const prefix = Buffer.alloc(2);
        prefix.writeUInt16BE(message.length);
        socket.write(Buffer.concat([prefix, message]));
      });
      socket.on('data', (chunk) => {
        received = Buffer.concat([received, chunk]);
        if (received.length >= 2 && received.length >= 2 + received.readUInt16BE(0)) {
          clearTimeout(timer);
          socket.destroy();
          resolve(received.subarray(2, 2 + received.readUInt16BE(0)));
        }
      });
      socket.on('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
  }

  private get timeoutMs(): number {
    return this.options.upstreamTimeoutMs ?? 2000;
  }
}

function reply(query: dnsPacket.Packet, flags: number, answers: dnsPacket.Answer[] = []): Buffer {
  return dnsPacket.encode({
    id: query.id ?? 0,
    type: 'response',
    flags: flags | dnsPacket.RECURSION_AVAILABLE | ((query.flags ?? 0) & dnsPacket.RECURSION_DESIRED),
    questions: query.questions ?? [],
    answers,
  });
}
