import { createSocket, type RemoteInfo, type Socket as UdpSocket } from 'node:dgram';
import { createServer, isIP, type Server, Socket } from 'node:net';
import dnsPacket from 'dns-packet';
import type { Logger } from '../../util/logger.js';
import { InFlightLimit } from './in-flight-limit.js';
import { type Upstream, UpstreamUdp } from './upstream-udp.js';

export interface EmbeddedDnsOptions {
  /** IPv4 address to listen on (the network's bridge/gateway address). */
  address: string;
  /** default 53 */
  port?: number;
  /**
   * Answers for names this network knows (container names, aliases, with or without trailing dot,
   * case-insensitive), asked by `client` (its address). Return IPv4 addresses, or [] when
   * unknown. Called per query, so it sees live changes.
   */
  lookup(name: string, client: string): string[];
  /**
   * Upstream resolvers for a query from `client` (its address), "ip" or "ip:port" (port defaults
   * to 53). Read per query so config changes apply live.
   */
  upstreams(client: string): string[];
  log?: Logger;
  /** ms to wait for an upstream before trying the next one; default 2000 */
  upstreamTimeoutMs?: number;
  /** ms a TCP client may stay silent before its connection is closed; default 30000 */
  tcpIdleTimeoutMs?: number;
  /** Forwarded queries one client address may have in flight; default 32 (beyond: dropped over UDP, SERVFAIL over TCP). */
  maxInFlightPerClient?: number;
  /** Forwarded queries in flight on this network; default 256. */
  maxInFlight?: number;
  /** TCP connections open per client address; default 8 (beyond: closed at once). */
  maxTcpConnectionsPerClient?: number;
}

type Transport = 'udp' | 'tcp';

const DEFAULT_PORT = 53;
const DEFAULT_UPSTREAM_TIMEOUT_MS = 2000;
const DEFAULT_TCP_IDLE_TIMEOUT_MS = 30_000;
const DEFAULT_MAX_IN_FLIGHT_PER_CLIENT = 32;
const UDP_RECEIVE_BUFFER_BYTES = 1 << 20;
const DEFAULT_MAX_IN_FLIGHT = 256;
const DEFAULT_MAX_TCP_CONNECTIONS_PER_CLIENT = 8;
const MEMBER_TTL_SECONDS = 600;
/** Largest UDP reply a client without EDNS accepts (RFC 1035 4.2.1). */
const CLASSIC_UDP_LIMIT = 512;
const OPCODE_QUERY = 0;
const RCODE_SERVFAIL = 2;
const RCODE_NXDOMAIN = 3;
const RCODE_NOTIMP = 4;

/**
 * A user network's resolver, on the bridge address (containers reach it as 127.0.0.11, see
 * resolver-redirect.ts): network members by
 * name and alias, every other name forwarded unchanged to the upstream resolvers. UDP and TCP.
 */
export class EmbeddedDns {
  private udp: UdpSocket | null = null;
  private tcp: Server | null = null;
  private readonly connections = new Set<Socket>();
  private readonly tcpPerClient = new Map<string, number>();
  /** Aborted by stop() so that queries still waiting on an upstream give up at once. */
  private stopping = new AbortController();
  private readonly inFlight: InFlightLimit;
  private readonly upstreamUdp = new UpstreamUdp();

  constructor(private readonly options: EmbeddedDnsOptions) {
    this.inFlight = new InFlightLimit(
      options.maxInFlightPerClient ?? DEFAULT_MAX_IN_FLIGHT_PER_CLIENT,
      options.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT,
    );
  }

  /** Upstream UDP sockets open now: one per upstream in use, whatever the query rate. */
  get upstreamSocketCount(): number {
    return this.upstreamUdp.socketCount;
  }

  private get endpoint(): string {
    return `${this.options.address}:${this.options.port ?? DEFAULT_PORT}`;
  }

  /** Binds UDP and TCP on address:port; rejects with an Error that names address:port when binding fails. */
  async start(): Promise<void> {
    if (this.udp || this.tcp) throw new Error(`DNS on ${this.endpoint} is already started`);
    this.stopping = new AbortController();
    const udp = await this.bindUdp();
    let tcp: Server;
    try {
      tcp = await this.listenTcp();
    } catch (error) {
      await closeUdp(udp);
      throw error;
    }
    this.udp = udp;
    this.tcp = tcp;
  }

  /** Closes both sockets and every TCP connection; resolves once they are closed. */
  async stop(): Promise<void> {
    const { udp, tcp } = this;
    this.udp = null;
    this.tcp = null;
    this.stopping.abort();
    this.upstreamUdp.close();
    for (const socket of this.connections) socket.destroy();
    await Promise.all([udp ? closeUdp(udp) : null, tcp ? closeServer(tcp) : null]);
  }

  private bindUdp(): Promise<UdpSocket> {
    const { address, port = DEFAULT_PORT } = this.options;
    const udp = createSocket({ type: 'udp4' });
    return new Promise((resolve, reject) => {
      udp.once('error', (error) => {
        udp.close();
        reject(new Error(`DNS cannot listen on ${this.endpoint}/udp: ${error.message}`));
      });
      udp.bind({ address, port, exclusive: true }, () => {
        udp.removeAllListeners('error');
        udp.on('error', (error) => this.options.log?.warn({ err: error }, 'DNS UDP socket error'));
        udp.on('message', (message, remote) => this.onUdpQuery(udp, message, remote));
        // Room for a burst from one container, so that the queries of others are not lost with it.
        udp.setRecvBufferSize(UDP_RECEIVE_BUFFER_BYTES);
        resolve(udp);
      });
    });
  }

  private listenTcp(): Promise<Server> {
    const { address, port = DEFAULT_PORT } = this.options;
    // Half-open so that a client which shuts down its side after writing still gets its answers.
    const tcp = createServer({ allowHalfOpen: true }, (socket) => this.serveTcp(socket));
    return new Promise((resolve, reject) => {
      tcp.once('error', (error) => {
        reject(new Error(`DNS cannot listen on ${this.endpoint}/tcp: ${error.message}`));
      });
      tcp.listen({ host: address, port, exclusive: true }, () => {
        tcp.removeAllListeners('error');
        tcp.on('error', (error) => this.options.log?.warn({ err: error }, 'DNS TCP server error'));
        resolve(tcp);
      });
    });
  }

  private onUdpQuery(udp: UdpSocket, message: Buffer, remote: RemoteInfo): void {
    this.respond(message, 'udp', remote.address)
      .then((reply) => {
        // stop() may have closed the socket while an upstream was being asked.
        if (!reply || this.udp !== udp) return;
        udp.send(reply, remote.port, remote.address, (error) => {
          if (error) this.options.log?.debug({ err: error }, 'DNS reply not sent');
        });
      })
      .catch((error: unknown) => this.options.log?.warn({ err: error }, 'DNS query failed'));
  }

  /** DNS over TCP: each message is prefixed with its 2-byte length; a client may send several. */
  private serveTcp(socket: Socket): void {
    const client = socket.remoteAddress ?? '';
    const open = this.tcpPerClient.get(client) ?? 0;
    const cap = this.options.maxTcpConnectionsPerClient ?? DEFAULT_MAX_TCP_CONNECTIONS_PER_CLIENT;
    if (open >= cap) {
      this.options.log?.debug({ client, open }, 'DNS: too many TCP connections from one client; closing');
      socket.destroy();
      return;
    }
    this.tcpPerClient.set(client, open + 1);
    socket.once('close', () => {
      const left = (this.tcpPerClient.get(client) ?? 1) - 1;
      if (left > 0) this.tcpPerClient.set(client, left);
      else this.tcpPerClient.delete(client);
    });
    this.connections.add(socket);
    let buffered = Buffer.alloc(0);
    let pending = 0;
    let clientEnded = false;
    const endWhenDone = () => {
      if (clientEnded && pending === 0 && !socket.destroyed) socket.end();
    };

    socket.setTimeout(this.options.tcpIdleTimeoutMs ?? DEFAULT_TCP_IDLE_TIMEOUT_MS, () => socket.destroy());
    socket.on('close', () => this.connections.delete(socket));
    socket.on('error', () => socket.destroy());
    socket.on('end', () => {
      clientEnded = true;
      endWhenDone();
    });
    socket.on('data', (chunk) => {
      buffered = Buffer.concat([buffered, chunk]);
      for (let message = takeFrame(); message; message = takeFrame()) {
        pending++;
        this.respond(message, 'tcp', client)
          .then((reply) => {
            if (!reply) socket.destroy();
            else if (!socket.destroyed) socket.write(frame(reply));
          })
          .catch((error: unknown) => {
            this.options.log?.warn({ err: error }, 'DNS query failed');
            socket.destroy();
          })
          .finally(() => {
            pending--;
            endWhenDone();
          });
      }
    });

    function takeFrame(): Buffer | null {
      if (buffered.length < 2) return null;
      const length = buffered.readUInt16BE(0);
      if (buffered.length < 2 + length) return null;
      const message = buffered.subarray(2, 2 + length);
      buffered = buffered.subarray(2 + length);
      return message;
    }
  }

  /** The reply to one message; null when the message is not a query we can read (dropped). */
  private async respond(message: Buffer, transport: Transport, client: string): Promise<Buffer | null> {
    const query = decodeQuery(message);
    const question = query?.questions?.[0];
    if (!query || !question) return null;
    if (opcodeOf(query) !== OPCODE_QUERY) return reply(query, RCODE_NOTIMP);

    const name = normalizeName(question.name);
    // lookup() maps names to addresses only, so reverse lookups always go upstream.
    const addresses = question.type === 'PTR' ? [] : this.lookupMember(name, client);
    if (!addresses) return reply(query, RCODE_SERVFAIL);
    if (addresses.length > 0) return memberReply(query, question, addresses, transport);
    // Docker's rule: an unknown single-label name is nobody's business upstream.
    if (!name.includes('.')) return reply(query, RCODE_NXDOMAIN);
    const release = this.inFlight.acquire(client, (reason) =>
      this.options.log?.warn({ client }, `DNS: refusing queries from a busy client: ${reason}`),
    );
    // Over the cap: a UDP query is dropped (the client retries later), a TCP client is told at once.
    if (!release) return transport === 'udp' ? null : reply(query, RCODE_SERVFAIL);
    try {
      return await this.forward(message, query, transport, client);
    } finally {
      release();
    }
  }

  /** The member's addresses, or null when lookup() itself failed. */
  private lookupMember(name: string, client: string): string[] | null {
    try {
      return this.options.lookup(name, client);
    } catch (error) {
      this.options.log?.warn({ err: error, name }, 'DNS lookup of a network member failed');
      return null;
    }
  }

  /** Asks each upstream in turn; the raw response carries the client's id because the query is sent unchanged. */
  private async forward(
    message: Buffer,
    query: dnsPacket.Packet,
    transport: Transport,
    client: string,
  ): Promise<Buffer> {
    const signal = this.stopping.signal;
    for (const text of this.options.upstreams(client)) {
      const upstream = parseUpstream(text);
      if (!upstream) {
        this.options.log?.warn({ upstream: text }, 'ignoring malformed upstream resolver');
        continue;
      }
      if (signal.aborted) break;
      try {
        const response = await this.forwardUdp(message, upstream, signal);
        if (transport === 'tcp' && isTruncated(response))
          return await this.forwardTcp(message, upstream, signal);
        return response;
      } catch (error) {
        this.options.log?.debug({ err: error, upstream: text }, 'upstream resolver failed');
      }
    }
    return reply(query, RCODE_SERVFAIL);
  }

  /** UDP through the shared socket to this upstream (upstream-udp.ts). */
  private forwardUdp(message: Buffer, upstream: Upstream, signal: AbortSignal): Promise<Buffer> {
    const timeout = this.options.upstreamTimeoutMs ?? DEFAULT_UPSTREAM_TIMEOUT_MS;
    return this.upstreamUdp.exchange(message, upstream, timeout, signal);
  }

  private forwardTcp(message: Buffer, upstream: Upstream, signal: AbortSignal): Promise<Buffer> {
    const socket = new Socket();
    const release = () => socket.destroy();
    return this.exchange(upstream, 'tcp', signal, release, (settle) => {
      let received = Buffer.alloc(0);
      socket.on('error', (error) => settle(error));
      socket.on('close', () => settle(new Error('connection closed before a full answer')));
      socket.on('data', (chunk) => {
        received = Buffer.concat([received, chunk]);
        if (received.length < 2) return;
        const length = received.readUInt16BE(0);
        if (received.length >= 2 + length) settle(null, received.subarray(2, 2 + length));
      });
      socket.connect({ host: upstream.host, port: upstream.port }, () => socket.write(frame(message)));
    });
  }

  /** One exchange with an upstream that settles exactly once (answer, error, timeout or stop()) and then releases its socket. */
  private exchange(
    upstream: Upstream,
    transport: Transport,
    signal: AbortSignal,
    release: () => void,
    begin: (settle: (error: Error | null, response?: Buffer) => void) => void,
  ): Promise<Buffer> {
    const where = `${upstream.host}:${upstream.port}/${transport}`;
    return new Promise((resolve, reject) => {
      let settled = false;
      const onAbort = () => settle(new Error(`stopped while asking ${where}`));
      const timer = setTimeout(
        () => settle(new Error(`no answer from ${where}`)),
        this.options.upstreamTimeoutMs ?? DEFAULT_UPSTREAM_TIMEOUT_MS,
      );
      function settle(error: Error | null, response?: Buffer): void {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        release();
        if (error || !response) reject(error ?? new Error(`empty answer from ${where}`));
        else resolve(response);
      }
      signal.addEventListener('abort', onAbort);
      try {
        begin(settle);
      } catch (error) {
        settle(error instanceof Error ? error : new Error(String(error)));
      }
    });
  }
}

function decodeQuery(message: Buffer): dnsPacket.DecodedPacket | null {
  try {
    const packet = dnsPacket.decode(message);
    return packet.type === 'query' ? packet : null;
  } catch {
    return null;
  }
}

function normalizeName(name: string): string {
  return name.replace(/\.$/, '').toLowerCase();
}

function opcodeOf(packet: dnsPacket.Packet): number {
  return ((packet.flags ?? 0) >> 11) & 0xf;
}

function memberReply(
  query: dnsPacket.DecodedPacket,
  question: dnsPacket.Question,
  addresses: string[],
  transport: Transport,
): Buffer {
  const isInternet = question.class === undefined || question.class === 'IN';
  // Any other type for a member is an empty NOERROR, so clients don't go on to ask elsewhere and wait.
  const answers: dnsPacket.Answer[] =
    question.type === 'A' && isInternet
      ? addresses.map((data) => ({ type: 'A', name: question.name, ttl: MEMBER_TTL_SECONDS, data }))
      : [];
  const full = reply(query, dnsPacket.AUTHORITATIVE_ANSWER, answers);
  if (transport === 'tcp' || full.length <= udpLimit(query)) return full;
  return reply(query, dnsPacket.AUTHORITATIVE_ANSWER | dnsPacket.TRUNCATED_RESPONSE);
}

/** The UDP reply size the client accepts: its EDNS payload size, else the classic 512 bytes. */
function udpLimit(query: dnsPacket.DecodedPacket): number {
  const opt = query.additionals?.find((record) => record.type === 'OPT');
  return opt ? Math.max(CLASSIC_UDP_LIMIT, opt.udpPayloadSize) : CLASSIC_UDP_LIMIT;
}

/** A response to `query` with the given flags or rcode (the low 4 bits of the flags). */
function reply(query: dnsPacket.Packet, flags: number, answers: dnsPacket.Answer[] = []): Buffer {
  return dnsPacket.encode({
    id: query.id ?? 0,
    type: 'response',
    flags: flags | dnsPacket.RECURSION_AVAILABLE | ((query.flags ?? 0) & dnsPacket.RECURSION_DESIRED),
    questions: query.questions ?? [],
    answers,
  });
}

/** "ip" or "ip:port"; IPv6 with a port is written "[ip]:port". Null when the text is neither. */
function parseUpstream(text: string): Upstream | null {
  const trimmed = text.trim();
  const bare = isIP(trimmed);
  if (bare === 4 || bare === 6) return { host: trimmed, port: DEFAULT_PORT, family: bare };
  const match = /^\[?([^\]]+?)\]?:(\d{1,5})$/.exec(trimmed);
  const host = match?.[1] ?? '';
  const port = Number(match?.[2]);
  const family = isIP(host);
  if ((family !== 4 && family !== 6) || port < 1 || port > 65535) return null;
  return { host, port, family };
}

function isTruncated(response: Buffer): boolean {
  return (response.readUInt16BE(2) & dnsPacket.TRUNCATED_RESPONSE) !== 0;
}

function frame(message: Buffer): Buffer {
  const prefix = Buffer.alloc(2);
  prefix.writeUInt16BE(message.length);
  return Buffer.concat([prefix, message]);
}

function closeUdp(socket: UdpSocket): Promise<void> {
  return new Promise((resolve) => socket.close(() => resolve()));
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}
