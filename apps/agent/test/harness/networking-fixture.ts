import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { readdirSync } from 'node:fs';
import { after, before } from 'node:test';
import { type AgentClient, type AgentConnection, connectAgentOnce } from '@stevedore/agent-api';
import dnsPacket from 'dns-packet';
import { type AgentProcess, startAgent } from './agent-process.js';
import { runCli } from './cli-process.js';
import { startRegistry, type TestRegistry } from './registry.js';
import { pushBusybox } from './test-images.js';
import { TestNetns } from './test-netns.js';
import { until } from './until.js';

// What the networking tests (networking-*.test.ts) share: probes of the host's links and rules,
// another "machine" in a namespace, an upstream DNS server, and one agent per file.

export const sh = (command: string, args: string[]) => spawnSync(command, args, { encoding: 'utf8' });
export const iptablesSave = () => sh('iptables-save', []).stdout;
/** How many rules mention host port `port` (DNAT and its filter rule per published port). */
export const rulesForPort = (port: number) =>
  iptablesSave()
    .split('\n')
    .filter((line) => line.includes(`--dport ${port} `)).length;
export const links = () => readdirSync('/sys/class/net');

/** GET over plain HTTP with a short timeout; null when nothing answers. */
export async function fetchText(url: string): Promise<string | null> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
    return await response.text();
  } catch {
    return null;
  }
}

/** The other machine: wget from it, and a web server in it. */
export class RemoteHost extends TestNetns {
  private server: ChildProcess | null = null;

  get remoteAddress(): string {
    return this.address;
  }

  /** busybox wget from inside the remote namespace. */
  wget(url: string): { code: number | null; output: string } {
    const result = sh('ip', [
      'netns',
      'exec',
      this.name,
      'busybox',
      'timeout',
      '3',
      'busybox',
      'wget',
      '-q',
      '-O',
      '-',
      url,
    ]);
    return { code: result.status, output: result.stdout };
  }

  /** Serves `text` on port 8080 of the remote namespace. */
  serve(text: string): void {
    const dir = `/tmp/${this.name}-www`;
    sh('mkdir', ['-p', dir]);
    sh('sh', ['-c', `echo ${text} > ${dir}/index.html`]);
    this.server = spawn(
      'ip',
      ['netns', 'exec', this.name, 'busybox', 'httpd', '-f', '-p', '8080', '-h', dir],
      {
        stdio: 'ignore',
      },
    );
  }

  override tearDown(): void {
    this.server?.kill('SIGKILL');
    sh('rm', ['-rf', `/tmp/${this.name}-www`]);
    super.tearDown();
  }
}

/**
 * A DNS server on `address`:53 (by default 127.0.0.153, the host's upstream resolver in these
 * tests) that knows one name.
 */
export function startUpstreamDns(
  address = '127.0.0.153',
  known = { name: 'upstream.stevedore.test', ip: '10.9.9.9' },
): Promise<() => void> {
  const socket = createSocket('udp4');
  socket.on('message', (message, remote) => {
    const query = dnsPacket.decode(message);
    const question = query.questions?.[0];
    const answers =
      question?.name === known.name && question.type === 'A'
        ? [{ type: 'A' as const, name: question.name, ttl: 60, data: known.ip }]
        : [];
    const response = dnsPacket.encode({
      id: query.id,
      type: 'response',
      flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE,
      questions: query.questions,
      answers,
    });
    socket.send(response, remote.port, remote.address);
  });
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(53, address, () => resolve(() => socket.close()));
  });
}

/** The agent a networking test file drives, set up by `useNetworkingAgent` before its tests. */
export interface NetworkingAgent {
  registry: TestRegistry;
  agent: AgentProcess;
  client: AgentClient;
  /** busybox, pulled into the agent. */
  image: string;
  remote: RemoteHost;
  /** A new connection (after the agent restarted). */
  connectClient(): Promise<void>;
  cli(...args: string[]): ReturnType<typeof runCli>;
  /** `run -d`, refused unless it exits 0; the container ID. */
  runDetached(...args: string[]): Promise<string>;
  /** What 127.0.0.1:PORT serves once it answers. */
  served(port: number | string): Promise<string | undefined>;
  /** `wget URL` in a new container (run flags first), given up after a few seconds. */
  wgetIn(runFlags: string[], url: string): ReturnType<typeof runCli>;
}

/** busybox httpd serving `text` on port 80. */
export const httpd = (text: string) => [
  'sh',
  '-c',
  `mkdir -p /www && echo ${text} > /www/index.html && exec httpd -f -p 80 -h /www`,
];

/**
 * Registers the before/after hooks of a networking test file: a registry with busybox, the
 * upstream DNS on 127.0.0.153, an agent using it as `--dns`, and the remote host. The returned
 * object is filled in by `before`.
 */
export function useNetworkingAgent(): NetworkingAgent {
  let connection: AgentConnection | undefined;
  let stopUpstream: () => void = () => {};
  const net = {
    remote: new RemoteHost(),
    async connectClient() {
      await connection?.close();
      connection = await connectAgentOnce({ host: net.agent.host });
      net.client = connection.client;
    },
    cli: (...args: string[]) => runCli(['-H', net.agent.host, ...args]),
    async runDetached(...args: string[]) {
      const result = await net.cli('run', '-d', ...args);
      assert.equal(result.code, 0, result.stderr);
      return result.stdout.trim();
    },
    served: async (port: number | string) =>
      (await until(`port ${port}`, () => fetchText(`http://127.0.0.1:${port}/`)))?.trim(),
    // Debian's busybox-static crashes on `wget -T`: time-outs use the `timeout` applet instead, under
    // --init where it must kill a hung wget (busybox's timeout runs the command as PID 1 otherwise).
    wgetIn: (runFlags: string[], url: string) =>
      net.cli('run', '--rm', '--init', ...runFlags, net.image, 'timeout', '3', 'wget', '-q', '-O', '-', url),
  } as NetworkingAgent;

  before(async () => {
    net.registry = await startRegistry();
    net.image = (await pushBusybox(net.registry)).reference;
    stopUpstream = await startUpstreamDns();
    net.agent = await startAgent({ extraArgs: ['--dns', '127.0.0.153'] });
    await net.connectClient();
    const pulled = await net.cli('pull', '-q', net.image);
    assert.equal(pulled.code, 0, pulled.stderr);
    net.remote.setUp();
  });

  after(async () => {
    // Whatever a failed test left behind.
    const all = await net.client?.containers.list.query({ all: true }).catch(() => []);
    for (const c of all ?? []) {
      await net.client.containers.remove.mutate({ container: c.Id, force: true }).catch((error: unknown) => {
        console.error(`after: removing ${c.Id} failed: ${(error as Error).message}`);
      });
    }
    await connection?.close();
    await net.agent?.stop();
    net.remote.tearDown();
    stopUpstream();
    await net.registry?.stop();
  });
  return net;
}
