import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { type Protocol, type PublishedPort, StevedoreError } from '@stevedore/shared';

/** A port to publish as the container asked for it: `hostPort` "" (any), "8080" or "8000-8010". */
export interface PortRequest {
  containerPort: number;
  protocol: Protocol;
  hostIp: string;
  hostPort: string;
}

type Holder = Server | UdpSocket;

/**
 * Published host ports, each held by a bound socket for as long as the container runs: the
 * kernel then refuses the port to any other program (or agent), and DNAT takes the traffic
 * before it reaches the socket. One socket per port, no proxy process.
 */
export class PortReservations {
  private readonly held = new Map<string, { port: PublishedPort; holder: Holder }[]>();
  /** The last port picked from a range, per `hostIp/protocol` (Docker allocates upwards from it). */
  private readonly lastAllocated = new Map<string, number>();

  /** Binds every request, or none: a port in use is refused with Docker's message. */
  async reserve(owner: string, requests: readonly PortRequest[]): Promise<PublishedPort[]> {
    const taken: { port: PublishedPort; holder: Holder }[] = [];
    try {
      for (const request of requests) taken.push(await this.bindOne(request));
    } catch (error) {
      await Promise.all(taken.map(({ holder }) => close(holder)));
      throw error;
    }
    this.held.set(owner, [...(this.held.get(owner) ?? []), ...taken]);
    return taken.map(({ port }) => port);
  }

  /** Binds exactly these (after an agent restart, for containers that kept running). */
  async readopt(owner: string, ports: readonly PublishedPort[]): Promise<void> {
    const requests = ports.map((port) => ({
      containerPort: port.ContainerPort,
      protocol: port.Protocol,
      hostIp: port.HostIp,
      hostPort: String(port.HostPort),
    }));
    await this.reserve(owner, requests);
  }

  async release(owner: string): Promise<void> {
    const entries = this.held.get(owner) ?? [];
    this.held.delete(owner);
    await Promise.all(entries.map(({ holder }) => close(holder)));
  }

  async releaseAll(): Promise<void> {
    await Promise.all([...this.held.keys()].map((owner) => this.release(owner)));
  }

  private async bindOne(request: PortRequest): Promise<{ port: PublishedPort; holder: Holder }> {
    const hostIp = request.hostIp === '' ? '0.0.0.0' : request.hostIp;
    const describe = (port: number | string) => `${hostIp}:${port}/${request.protocol}`;
    const publish = (hostPort: number): PublishedPort => ({
      ContainerPort: request.containerPort,
      Protocol: request.protocol,
      HostIp: hostIp,
      HostPort: hostPort,
    });
    if (/^\d+$/.test(request.hostPort)) {
      const hostPort = Number(request.hostPort);
      const holder = await bind(request.protocol, hostIp, hostPort);
      if (!holder) {
        throw new StevedoreError(
          'CONFLICT',
          `Bind for ${describe(hostPort)} failed: port is already allocated`,
          { hostIp, hostPort, protocol: request.protocol },
        );
      }
      return { port: publish(hostPort), holder };
    }
    const [low, high] =
      request.hostPort === ''
        ? await ephemeralRange()
        : (request.hostPort.split('-').map(Number) as [number, number]);
    // Docker's allocator: the port after the last one given out on this address and protocol,
    // from the bottom of the range (32768 up), so ports of stopped containers are not reused at once.
    const span = high - low + 1;
    const cursor = `${hostIp}/${request.protocol}`;
    const last = this.lastAllocated.get(cursor);
    const start = last === undefined || last < low || last > high ? 0 : last - low + 1;
    for (let i = 0; i < span; i++) {
      const hostPort = low + ((start + i) % span);
      const holder = await bind(request.protocol, hostIp, hostPort);
      if (holder) {
        this.lastAllocated.set(cursor, hostPort);
        return { port: publish(hostPort), holder };
      }
    }
    throw new StevedoreError(
      'CONFLICT',
      `Bind for ${describe(request.hostPort || `${low}-${high}`)} failed: every port in the range is allocated`,
      { hostIp, protocol: request.protocol },
    );
  }
}

/** The kernel's ephemeral port range, where `-P` and `-p CONTAINER_PORT` pick host ports. */
async function ephemeralRange(): Promise<[number, number]> {
  const text = await readFile('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').catch(() => '32768 60999');
  const [low = 32768, high = 60999] = text.trim().split(/\s+/).map(Number);
  return [low, high];
}

function bind(protocol: Protocol, host: string, port: number): Promise<Holder | null> {
  return new Promise((resolve) => {
    if (protocol === 'udp') {
      const socket = createSocket({ type: 'udp4', reuseAddr: false });
      socket.once('error', () => {
        socket.close();
        resolve(null);
      });
      socket.bind({ address: host, port, exclusive: true }, () => {
        socket.removeAllListeners('error');
        socket.on('error', () => {});
        socket.unref();
        resolve(socket);
      });
      return;
    }
    const server = createServer((connection) => connection.destroy());
    server.once('error', () => resolve(null));
    server.listen({ host, port, exclusive: true, backlog: 1 }, () => {
      server.removeAllListeners('error');
      server.on('error', () => {});
      server.unref();
      resolve(server);
    });
  });
}

function close(holder: Holder): Promise<void> {
  return new Promise((resolve) => {
    if ('address' in holder && 'send' in holder) {
      (holder as UdpSocket).close(() => resolve());
      return;
    }
    (holder as Server).close(() => resolve());
  });
}
