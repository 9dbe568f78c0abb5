import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { type AgentClient, type AgentConnection, connectAgentOnce } from '@stevedore/agent-api';
import dnsPacket from 'dns-packet';
import { freePort } from '../../../scripts/free-port.mjs';
import { type AgentProcess, startAgent } from './harness/agent-process.js';
import { runCli } from './harness/cli-process.js';
import { startRegistry, type TestRegistry } from './harness/registry.js';
import { pushBusybox } from './harness/test-images.js';
import { TestNetns } from './harness/test-netns.js';
import { until } from './harness/until.js';

const sh = (command: string, args: string[]) => spawnSync(command, args, { encoding: 'utf8' });
const iptablesSave = () => sh('iptables-save', []).stdout;
/** How many rules mention host port `port` (DNAT and its filter rule per published port). */
const rulesForPort = (port: number) =>
  iptablesSave()
    .split('\n')
    .filter((line) => line.includes(`--dport ${port} `)).length;
const links = () => readdirSync('/sys/class/net');

/** GET over plain HTTP with a short timeout; null when nothing answers. */
async function fetchText(url: string): Promise<string | null> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
    return await response.text();
  } catch {
    return null;
  }
}

/** The other machine: wget from it, and a web server in it. */
class RemoteHost extends TestNetns {
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

/** A DNS server on 127.0.0.153:53 that knows one name, as the host's upstream resolver. */
function startUpstreamDns(): Promise<() => void> {
  const socket = createSocket('udp4');
  socket.on('message', (message, remote) => {
    const query = dnsPacket.decode(message);
    const question = query.questions?.[0];
    const answers =
      question?.name === 'upstream.stevedore.test' && question.type === 'A'
        ? [{ type: 'A' as const, name: question.name, ttl: 60, data: '10.9.9.9' }]
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
    socket.bind(53, '127.0.0.153', () => resolve(() => socket.close()));
  });
}

describe('networking: bridge, published ports, user networks and DNS on the real agent', () => {
  let registry: TestRegistry;
  let agent: AgentProcess;
  let client: AgentClient;
  let connection: AgentConnection | undefined;
  const connectClient = async () => {
    await connection?.close();
    connection = await connectAgentOnce({ host: agent.host });
    client = connection.client;
  };
  let image: string;
  const remote = new RemoteHost();
  let stopUpstream: () => void = () => {};
  const cli = (...args: string[]) => runCli(['-H', agent.host, ...args]);
  const runDetached = async (...args: string[]) => {
    const result = await cli('run', '-d', ...args);
    assert.equal(result.code, 0, result.stderr);
    return result.stdout.trim();
  };
  // Debian's busybox-static crashes on `wget -T`: time-outs use the `timeout` applet instead, under
  // --init where it must kill a hung wget (busybox's timeout runs the command as PID 1 otherwise).
  /** What 127.0.0.1:PORT serves once it answers. */
  const served = async (port: number | string) =>
    (await until(`port ${port}`, () => fetchText(`http://127.0.0.1:${port}/`)))?.trim();
  /** `wget URL` in a new container (run flags first), given up after a few seconds. */
  const wgetIn = (runFlags: string[], url: string) =>
    cli('run', '--rm', '--init', ...runFlags, image, 'timeout', '3', 'wget', '-q', '-O', '-', url);
  /** busybox httpd serving `text` on port 80. */
  const httpd = (text: string) => [
    'sh',
    '-c',
    `mkdir -p /www && echo ${text} > /www/index.html && exec httpd -f -p 80 -h /www`,
  ];

  before(async () => {
    registry = await startRegistry();
    image = (await pushBusybox(registry)).reference;
    stopUpstream = await startUpstreamDns();
    agent = await startAgent({ extraArgs: ['--dns', '127.0.0.153'] });
    await connectClient();
    const pulled = await cli('pull', '-q', image);
    assert.equal(pulled.code, 0, pulled.stderr);
    remote.setUp();
  });

  after(async () => {
    const all = await client?.containers.list.query({ all: true }).catch(() => []);
    for (const c of all ?? [])
      await client.containers.remove.mutate({ container: c.Id, force: true }).catch(() => {});
    await connection?.close();
    await agent?.stop();
    remote.tearDown();
    stopUpstream();
    await registry?.stop();
  });

  test('the default bridge exists with the configured address, and its chains are hooked once', async () => {
    const bridge = await client.networks.inspect.query({ network: 'bridge' });
    const name = bridge.Options['com.docker.network.bridge.name'] as string;
    assert.ok(links().includes(name), `bridge ${name} exists`);
    const saved = iptablesSave();
    const jumps = saved
      .split('\n')
      .filter((line) => /^-A (PREROUTING|OUTPUT|POSTROUTING|FORWARD) .*-j STEVEDORE-/.test(line));
    assert.ok(jumps.length >= 4, saved);
    // A restart reconciles: same bridge, same subnet, no second set of jumps.
    const before = jumps.length;
    await agent.restart();
    await connectClient();
    const again = await client.networks.inspect.query({ network: 'bridge' });
    assert.deepEqual(again.IPAM.Config, bridge.IPAM.Config);
    const after = iptablesSave()
      .split('\n')
      .filter((line) => /^-A (PREROUTING|OUTPUT|POSTROUTING|FORWARD) .*-j STEVEDORE-/.test(line));
    assert.equal(after.length, before);
  });

  test('-p publishes on 127.0.0.1 and to another host; stop removes rules, veth and namespace', async () => {
    const local = await freePort();
    const any = await freePort();
    const id = await runDetached(
      '--name',
      'web1',
      '-p',
      `127.0.0.1:${local}:80`,
      '-p',
      `${any}:80`,
      image,
      ...httpd('hello-web1'),
    );
    assert.equal(await served(local), 'hello-web1');
    assert.equal((await fetchText(`http://127.0.0.1:${any}/`))?.trim(), 'hello-web1');
    const fromRemote = remote.wget(`http://${remote.hostAddress}:${any}/`);
    assert.equal(fromRemote.output.trim(), 'hello-web1', `remote wget exit ${fromRemote.code}`);
    // Bound to 127.0.0.1 only: the other host gets nothing.
    assert.notEqual(remote.wget(`http://${remote.hostAddress}:${local}/`).code, 0);

    const port = await cli('port', 'web1');
    assert.equal(port.code, 0, port.stderr);
    assert.deepEqual(
      port.stdout.trim().split('\n').sort(),
      [`80/tcp -> 0.0.0.0:${any}`, `80/tcp -> 127.0.0.1:${local}`].sort(),
    );
    const ps = await cli('ps', '--format', '{{.Ports}}', '--filter', 'name=web1');
    assert.match(ps.stdout, new RegExp(`127\\.0\\.0\\.1:${local}->80/tcp`));
    const inspect = await client.containers.inspect.query({ container: id });
    const address = inspect.NetworkSettings.Networks.bridge?.IPAddress as string;
    const subnet = (await client.networks.inspect.query({ network: 'bridge' })).IPAM.Config[0]
      ?.Subnet as string;
    assert.equal(address.split('.').slice(0, 3).join('.'), subnet.split('.').slice(0, 3).join('.'));
    assert.equal(inspect.NetworkSettings.IPAddress, address);
    assert.deepEqual(
      inspect.NetworkSettings.Ports['80/tcp']?.map((b) => b.HostPort).sort(),
      [String(local), String(any)].sort(),
    );
    assert.ok(iptablesSave().includes(`--to-destination ${address}:80`));
    const veth = `sd${id.slice(0, 8)}0`;
    assert.ok(links().includes(veth));

    // The same host port for another container is refused before anything starts.
    const clash = await cli('run', '-d', '-p', `127.0.0.1:${local}:80`, image, 'true');
    assert.equal(clash.code, 125);
    assert.match(clash.stderr, new RegExp(`127\\.0\\.0\\.1:${local}/tcp failed: port is already allocated`));

    const stopped = await cli('stop', '-t', '1', 'web1');
    assert.equal(stopped.code, 0, stopped.stderr);
    assert.equal(await fetchText(`http://127.0.0.1:${local}/`), null);
    assert.ok(!iptablesSave().includes(`${address}:80`), 'DNAT rule removed');
    assert.ok(!links().includes(veth), 'veth removed');
    assert.ok(!existsSync(`${agent.execRoot}/netns/${id}`), 'namespace file removed');

    // Restart gets the same address back; rm releases it.
    await cli('start', 'web1');
    const restarted = await client.containers.inspect.query({ container: id });
    assert.equal(restarted.NetworkSettings.Networks.bridge?.IPAddress, address);
    await cli('rm', '-f', 'web1');
    assert.ok(!iptablesSave().includes(`${address}:80`));
    const bridge = await client.networks.inspect.query({ network: 'bridge' });
    assert.equal(Object.keys(bridge.Containers).length, 0);
    assert.equal(readdirSync(`${agent.execRoot}/netns`).length, 0);
  });

  test('a port taken by another program is refused up front, and bad specs are refused', async () => {
    const server = createServer();
    const port = await freePort();
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    const before = (await client.containers.list.query({ all: true })).length;
    try {
      const taken = await cli('run', '--rm', '-p', `127.0.0.1:${port}:80`, image, 'true');
      assert.equal(taken.code, 125);
      assert.match(taken.stderr, /port is already allocated/);
      assert.equal(
        (await client.containers.list.query({ all: true })).length,
        before,
        '--rm container removed',
      );
    } finally {
      server.close();
    }
    const bad = await cli('run', '--rm', '-p', '80:90:100:5', image, 'true');
    assert.equal(bad.code, 125);
    assert.match(bad.stderr, /invalid argument "80:90:100:5" for "--publish" flag: too many ":"/);
    const range = await cli('run', '--rm', '-p', '8000-8002:80-81', image, 'true');
    assert.match(range.stderr, /same length/);
  });

  test('-P publishes every exposed port on a free ephemeral port; a container reaches its own port (hairpin)', async () => {
    await runDetached('--name', 'auto', '--expose', '80', '-P', image, ...httpd('hello-auto'));
    const port = await cli('port', 'auto', '80');
    assert.equal(port.code, 0, port.stderr);
    const [, hostPort] = /^0\.0\.0\.0:(\d+)$/.exec(port.stdout.trim()) ?? [];
    const [low, high] = sh('cat', ['/proc/sys/net/ipv4/ip_local_port_range'])
      .stdout.trim()
      .split(/\s+/)
      .map(Number);
    assert.ok(Number(hostPort) >= (low as number) && Number(hostPort) <= (high as number), port.stdout);
    assert.equal(await served(hostPort ?? ''), 'hello-auto');
    // From inside the container, through the host's address: DNAT back to itself.
    const gateway = (await client.networks.inspect.query({ network: 'bridge' })).IPAM.Config[0]?.Gateway;
    const hairpin = await cli(
      'exec',
      'auto',
      'timeout',
      '3',
      'wget',
      '-q',
      '-O',
      '-',
      `http://${gateway}:${hostPort}/`,
    );
    assert.equal(hairpin.stdout.trim(), 'hello-auto', hairpin.stderr);
    await cli('rm', '-f', 'auto');
  });

  test('user networks: names and aliases resolve, other names go upstream, networks are isolated', async () => {
    const created = await cli('network', 'create', '--subnet', '10.98.7.0/24', 'appnet');
    assert.equal(created.code, 0, created.stderr);
    const ls = await cli('network', 'ls', '--format', '{{.Name}} {{.Driver}}');
    assert.deepEqual(ls.stdout.trim().split('\n'), [
      'appnet bridge',
      'bridge bridge',
      'host host',
      'none null',
    ]);
    await runDetached(
      '--name',
      'api',
      '--network',
      'appnet',
      '--network-alias',
      'backend',
      '--ip',
      '10.98.7.50',
      image,
      ...httpd('hello-api'),
    );
    const byName = await wgetIn(['--network', 'appnet'], 'http://api/');
    assert.equal(byName.stdout.trim(), 'hello-api', byName.stderr);
    const byAlias = await wgetIn(['--network', 'appnet'], 'http://backend/');
    assert.equal(byAlias.stdout.trim(), 'hello-api', byAlias.stderr);
    const upstream = await cli(
      'run',
      '--rm',
      '--network',
      'appnet',
      image,
      'nslookup',
      'upstream.stevedore.test',
    );
    assert.match(upstream.stdout, /10\.9\.9\.9/, upstream.stderr);
    const inspect = await client.networks.inspect.query({ network: 'appnet' });
    assert.deepEqual(
      Object.values(inspect.Containers).map((c) => [c.Name, c.IPv4Address]),
      [['api', '10.98.7.50/24']],
    );

    // Another container asking for the same address is refused.
    const taken = await cli('run', '--rm', '--network', 'appnet', '--ip', '10.98.7.50', image, 'true');
    assert.equal(taken.code, 125);
    assert.match(taken.stderr, /address 10\.98\.7\.50 is already in use on network appnet/);

    // The default bridge cannot reach a container on appnet.
    const isolated = await wgetIn([], 'http://10.98.7.50/');
    assert.notEqual(isolated.code, 0);
    assert.equal(isolated.stdout.trim(), '');

    // connect: a second interface appears live; disconnect removes it.
    await runDetached('--name', 'client', image, 'sleep', '300');
    const connected = await cli('network', 'connect', '--alias', 'cli', 'appnet', 'client');
    assert.equal(connected.code, 0, connected.stderr);
    const viaEth1 = await cli(
      'exec',
      'client',
      'timeout',
      '3',
      'wget',
      '-q',
      '-O',
      '-',
      'http://10.98.7.50/',
    );
    assert.equal(viaEth1.stdout.trim(), 'hello-api', viaEth1.stderr);
    const addresses = await cli('exec', 'client', 'ip', '-4', '-o', 'addr');
    assert.match(addresses.stdout, /eth1\s+inet 10\.98\.7\./);
    const disconnected = await cli('network', 'disconnect', 'appnet', 'client');
    assert.equal(disconnected.code, 0, disconnected.stderr);
    const after = await cli('exec', 'client', 'ip', '-4', '-o', 'addr');
    assert.doesNotMatch(after.stdout, /eth1/);

    const busy = await cli('network', 'rm', 'appnet');
    assert.equal(busy.code, 1);
    assert.match(busy.stderr, /has active endpoints/);
    const bridgeName = inspect.Options['com.docker.network.bridge.name'] as string;
    await cli('rm', '-f', 'api', 'client');
    const removed = await cli('network', 'rm', 'appnet');
    assert.equal(removed.code, 0, removed.stderr);
    assert.ok(!links().includes(bridgeName), 'bridge removed with the network');
    assert.ok(!iptablesSave().includes(bridgeName), 'rules of the network removed');
    await cli('network', 'create', 'spare');
    const pruned = await cli('network', 'prune', '-f');
    assert.equal(pruned.stdout.trim(), 'Deleted Networks:\nspare');
    for (const fixed of ['bridge', 'host', 'none']) {
      const refused = await cli('network', 'rm', fixed);
      assert.match(refused.stderr, new RegExp(`${fixed} is a pre-defined network and cannot be removed`));
    }
  });

  test('--internal networks have no route out; a bridge container reaches the other host', async () => {
    remote.serve('hello-remote');
    const out = await until('the remote server', async () => {
      const result = await wgetIn([], `http://${remote.remoteAddress}:8080/`);
      return result.stdout.trim() === 'hello-remote' ? result : null;
    });
    assert.equal(out.code, 0);
    await cli('network', 'create', '--internal', 'sealed');
    const routes = await cli('run', '--rm', '--network', 'sealed', image, 'ip', 'route');
    assert.doesNotMatch(routes.stdout, /default/);
    const blocked = await wgetIn(['--network', 'sealed'], `http://${remote.remoteAddress}:8080/`);
    assert.notEqual(blocked.code, 0);
    await cli('network', 'rm', 'sealed');
  });

  test('50 concurrent run -d get 50 distinct addresses; rm leaves no veth, namespace or rule', async () => {
    const before = links().length;
    const ids = await Promise.all(
      Array.from({ length: 50 }, async () => {
        const { Id } = await client.containers.create.mutate({
          Config: { Image: image, Cmd: ['sleep', '300'] },
        });
        await client.containers.start.mutate({ container: Id });
        return Id;
      }),
    );
    const addresses = await Promise.all(
      ids.map(
        async (id) => (await client.containers.inspect.query({ container: id })).NetworkSettings.IPAddress,
      ),
    );
    assert.equal(new Set(addresses).size, 50, addresses.join(' '));
    assert.equal(links().length, before + 50);
    await Promise.all(ids.map((id) => client.containers.remove.mutate({ container: id, force: true })));
    assert.equal(links().length, before);
    assert.deepEqual(readdirSync(`${agent.execRoot}/netns`), []);
  });

  test('a second agent on the same machine: its own bridge, subnet and chains; --cleanup removes only its own', async () => {
    const second = await startAgent();
    const secondConnection = await connectAgentOnce({ host: second.host });
    const secondClient = secondConnection.client;
    try {
      const cli2 = (...args: string[]) => runCli(['-H', second.host, ...args]);
      assert.equal((await cli2('pull', '-q', image)).code, 0);
      const port1 = await freePort();
      const port2 = await freePort();
      await runDetached('--name', 'one', '-p', `${port1}:80`, image, ...httpd('from-agent-1'));
      const run2 = await cli2(
        'run',
        '-d',
        '--name',
        'two',
        '-p',
        `${port2}:80`,
        image,
        ...httpd('from-agent-2'),
      );
      assert.equal(run2.code, 0, run2.stderr);
      assert.equal(await served(port1), 'from-agent-1');
      assert.equal(await served(port2), 'from-agent-2');
      const first = await client.networks.inspect.query({ network: 'bridge' });
      const other = await secondClient.networks.inspect.query({ network: 'bridge' });
      assert.notEqual(
        first.Options['com.docker.network.bridge.name'],
        other.Options['com.docker.network.bridge.name'],
      );
      assert.notDeepEqual(first.IPAM.Config, other.IPAM.Config);
      // Chains are named after each agent's exec-root; other agents may come and go on this machine.
      const chainsOf = (owner: AgentProcess) => {
        const suffix = createHash('sha256').update(owner.execRoot).digest('hex').slice(0, 8);
        return iptablesSave()
          .split('\n')
          .filter((l) => l.startsWith(':STEVEDORE-') && l.split(' ')[0]!.endsWith(`-${suffix}`));
      };
      assert.equal(chainsOf(agent).length, 3);
      assert.equal(chainsOf(second).length, 3);

      await secondConnection.close();
      await second.stop();
      const secondBridge = other.Options['com.docker.network.bridge.name'] as string;
      assert.ok(!links().includes(secondBridge), 'the second bridge is gone');
      assert.equal(chainsOf(second).length, 0, "the second agent's chains are gone");
      assert.equal(chainsOf(agent).length, 3, "the first agent's chains are kept");
      assert.equal(await fetchText(`http://127.0.0.1:${port2}/`), null);
      assert.equal(
        (await fetchText(`http://127.0.0.1:${port1}/`))?.trim(),
        'from-agent-1',
        'agent 1 untouched',
      );
      await cli('rm', '-f', 'one');
    } finally {
      await secondConnection.close();
      await second.stop();
    }
  });

  test('after a crash of the agent, published ports keep working and the next agent undoes them on stop', async () => {
    const port = await freePort();
    const id = await runDetached(
      '--name',
      'survivor',
      '-p',
      `127.0.0.1:${port}:80`,
      image,
      ...httpd('still-here'),
    );
    assert.equal(await served(port), 'still-here');
    await agent.kill9();
    assert.equal(
      (await fetchText(`http://127.0.0.1:${port}/`))?.trim(),
      'still-here',
      'served while the agent is down',
    );
    await agent.restart();
    await connectClient();
    const jumps = iptablesSave()
      .split('\n')
      .filter((line) => /^-A (PREROUTING|OUTPUT|POSTROUTING|FORWARD) .*-j STEVEDORE-/.test(line));
    assert.equal(new Set(jumps).size, jumps.length, 'no duplicated jumps after the restart');
    assert.equal(rulesForPort(port), 1);
    // The port is held again: a second container cannot take it.
    const clash = await cli('run', '--rm', '-p', `127.0.0.1:${port}:80`, image, 'true');
    assert.match(clash.stderr, /port is already allocated/);
    assert.equal((await fetchText(`http://127.0.0.1:${port}/`))?.trim(), 'still-here');
    await cli('rm', '-f', 'survivor');
    assert.equal(rulesForPort(port), 0);
    assert.ok(!links().includes(`sd${id.slice(0, 8)}0`));
  });

  test('an attached run ends at the exit; the next request finds it exited, its rules gone, its name and port free', async () => {
    const port = await freePort();
    const first = await cli(
      'run',
      '--name',
      'quick',
      '-p',
      `127.0.0.1:${port}:80`,
      image,
      'sh',
      '-c',
      'exit 4',
    );
    assert.equal(first.code, 4, first.stderr);
    const state = await cli('inspect', '--format', '{{.State.Status}} {{.State.ExitCode}}', 'quick');
    assert.equal(state.stdout.trim(), 'exited 4');
    assert.equal(rulesForPort(port), 0, 'the request waited for the namespace and rules to go');
    assert.equal((await cli('rm', 'quick')).code, 0);
    // Over the API, back to back: each create comes right after the last exit status.
    const runAttached = async () => {
      const { Id } = await client.containers.create.mutate({
        name: 'quick',
        Config: { Image: image, Cmd: ['true'] },
        HostConfig: {
          AutoRemove: true,
          PortBindings: { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: String(port) }] },
        },
      });
      return new Promise<number>((resolve, reject) => {
        const subscription = client.containers.startAttached.subscribe(
          { container: Id },
          {
            onData: (event) => {
              if (event.type !== 'exit') return;
              subscription.unsubscribe();
              resolve(event.result.StatusCode);
            },
            onError: reject,
          },
        );
      });
    };
    for (let i = 0; i < 3; i++) assert.equal(await runAttached(), 0, `run ${i + 1}`);
    assert.deepEqual(await client.containers.list.query({ all: true, filters: ['name=quick'] }), []);
    assert.equal(rulesForPort(port), 0);
  });

  test('an agent that dies between telling an exit and releasing the container: the next one releases it', async (t) => {
    const crashing = await startAgent({ env: { STEVEDORE_TEST_CRASH_AT: 'exit-recorded' } });
    t.after(() => crashing.stop());
    const on = (...args: string[]) => runCli(['-H', crashing.host, ...args]);
    assert.equal((await on('pull', '-q', image)).code, 0);
    const port = await freePort();
    const created = await on('create', '--name', 'held', '-p', `127.0.0.1:${port}:80`, image, 'true');
    assert.equal(created.code, 0, created.stderr);
    const id = created.stdout.trim();
    await on('start', '-a', 'held');
    await until(
      'the agent to die',
      async () => crashing.pid === undefined || !existsSync(`/proc/${crashing.pid}`),
    );
    assert.ok(links().includes(`sd${id.slice(0, 8)}0`), 'the veth outlived the agent');
    await crashing.restart();
    assert.equal((await on('inspect', '--format', '{{.State.Status}}', 'held')).stdout.trim(), 'exited');
    assert.ok(!links().includes(`sd${id.slice(0, 8)}0`), 'veth removed');
    assert.equal(rulesForPort(port), 0, 'rules removed');
    assert.ok(!readFileSync('/proc/self/mountinfo', 'utf8').includes(`${id}/merged`), 'rootfs unmounted');
    assert.equal((await on('rm', 'held')).code, 0);
  });

  test('the legacy iptables backend works the same (STEVEDORE_IPTABLES=legacy)', async () => {
    const legacy = await startAgent({ env: { STEVEDORE_IPTABLES: 'legacy' } });
    try {
      const cliLegacy = (...args: string[]) => runCli(['-H', legacy.host, ...args]);
      assert.equal((await cliLegacy('pull', '-q', image)).code, 0);
      const port = await freePort();
      const run = await cliLegacy(
        'run',
        '-d',
        '--name',
        'old',
        '-p',
        `127.0.0.1:${port}:80`,
        image,
        ...httpd('legacy'),
      );
      assert.equal(run.code, 0, run.stderr);
      assert.equal(await served(port), 'legacy');
      const legacyRules = sh('iptables-legacy-save', []).stdout;
      assert.ok(legacyRules.includes(`--dport ${port} `), 'the DNAT rule is in the legacy tables');
      assert.ok(!sh('iptables-nft-save', []).stdout.includes(`--dport ${port} `), 'and not in the nft ones');
      assert.equal((await cliLegacy('rm', '-f', 'old')).code, 0);
      assert.ok(!sh('iptables-legacy-save', []).stdout.includes(`--dport ${port} `));
    } finally {
      await legacy.stop();
    }
    assert.ok(
      !sh('iptables-legacy-save', []).stdout.includes(':STEVEDORE-'),
      'cleanup removed the legacy chains',
    );
  });

  test('containers on the default bridge use the --dns servers; on a user network, its DNS', async () => {
    const onBridge = await cli('run', '--rm', image, 'cat', '/etc/resolv.conf');
    assert.match(onBridge.stdout, /^nameserver 127\.0\.0\.153$/m, onBridge.stderr);
    await cli('network', 'create', '--subnet', '10.98.9.0/24', 'dnsnet');
    const onNetwork = await cli('run', '--rm', '--network', 'dnsnet', image, 'cat', '/etc/resolv.conf');
    assert.match(onNetwork.stdout, /^nameserver 10\.98\.9\.1$/m, onNetwork.stderr);
    assert.doesNotMatch(onNetwork.stdout, /127\.0\.0\.153/);
    await cli('network', 'rm', 'dnsnet');
  });

  test('network stats come from the container namespace', async () => {
    await runDetached('--name', 'talker', image, ...httpd('stats'));
    const address = (await client.containers.inspect.query({ container: 'talker' })).NetworkSettings
      .IPAddress;
    for (let i = 0; i < 5; i++) await fetchText(`http://${address}/`);
    const stats = await cli('stats', '--no-stream', '--format', '{{.NetIO}}', 'talker');
    assert.equal(stats.code, 0, stats.stderr);
    assert.doesNotMatch(stats.stdout.trim(), /^0B \/ 0B$/);
    await cli('rm', '-f', 'talker');
  });
});
