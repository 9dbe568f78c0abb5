import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { describe, test } from 'node:test';
import { freePort } from '../../../scripts/free-port.mjs';
import {
  fetchText,
  httpd,
  iptablesSave,
  links,
  rulesForPort,
  sh,
  useNetworkingAgent,
} from './harness/networking-fixture.js';

describe('networking: published ports (-p, -P), their rules and held sockets, across stops and agent crashes', () => {
  const net = useNetworkingAgent();
  const { cli, runDetached, served, remote } = net;

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
      net.image,
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
    const inspect = await net.client.containers.inspect.query({ container: id });
    const address = inspect.NetworkSettings.Networks.bridge?.IPAddress as string;
    const subnet = (await net.client.networks.inspect.query({ network: 'bridge' })).IPAM.Config[0]
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
    const clash = await cli('run', '-d', '-p', `127.0.0.1:${local}:80`, net.image, 'true');
    assert.equal(clash.code, 125);
    assert.match(clash.stderr, new RegExp(`127\\.0\\.0\\.1:${local}/tcp failed: port is already allocated`));

    const stopped = await cli('stop', '-t', '1', 'web1');
    assert.equal(stopped.code, 0, stopped.stderr);
    assert.equal(await fetchText(`http://127.0.0.1:${local}/`), null);
    assert.ok(!iptablesSave().includes(`${address}:80`), 'DNAT rule removed');
    assert.ok(!links().includes(veth), 'veth removed');
    assert.ok(!existsSync(`${net.agent.execRoot}/netns/${id}`), 'namespace file removed');

    // Restart gets the same address back; rm releases it.
    await cli('start', 'web1');
    const restarted = await net.client.containers.inspect.query({ container: id });
    assert.equal(restarted.NetworkSettings.Networks.bridge?.IPAddress, address);
    await cli('rm', '-f', 'web1');
    assert.ok(!iptablesSave().includes(`${address}:80`));
    const bridge = await net.client.networks.inspect.query({ network: 'bridge' });
    assert.equal(Object.keys(bridge.Containers).length, 0);
    assert.equal(readdirSync(`${net.agent.execRoot}/netns`).length, 0);
  });

  test('a port taken by another program is refused up front, and bad specs are refused', async () => {
    const server = createServer();
    const port = await freePort();
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    const before = (await net.client.containers.list.query({ all: true })).length;
    try {
      const taken = await cli('run', '--rm', '-p', `127.0.0.1:${port}:80`, net.image, 'true');
      assert.equal(taken.code, 125);
      assert.match(taken.stderr, /port is already allocated/);
      assert.equal(
        (await net.client.containers.list.query({ all: true })).length,
        before,
        '--rm container removed',
      );
    } finally {
      server.close();
    }
    const bad = await cli('run', '--rm', '-p', '80:90:100:5', net.image, 'true');
    assert.equal(bad.code, 125);
    assert.match(bad.stderr, /^stevedore: too many ":"; use \[IP:\]/);
    const range = await cli('run', '--rm', '-p', '8000-8002:80-81', net.image, 'true');
    assert.equal(
      range.stderr,
      "stevedore: Invalid ranges specified for container and host Ports: 80-81 and 8000-8002.\nSee 'stevedore run --help'.\n",
    );
  });

  test('-P publishes every exposed port on a free ephemeral port; a container reaches its own port (hairpin)', async () => {
    await runDetached('--name', 'auto', '--expose', '80', '-P', net.image, ...httpd('hello-auto'));
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
    const gateway = (await net.client.networks.inspect.query({ network: 'bridge' })).IPAM.Config[0]?.Gateway;
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

  test('after a crash of the agent, published ports keep working and the next agent undoes them on stop', async () => {
    const port = await freePort();
    const id = await runDetached(
      '--name',
      'survivor',
      '-p',
      `127.0.0.1:${port}:80`,
      net.image,
      ...httpd('still-here'),
    );
    assert.equal(await served(port), 'still-here');
    await net.agent.kill9();
    assert.equal(
      (await fetchText(`http://127.0.0.1:${port}/`))?.trim(),
      'still-here',
      'served while the agent is down',
    );
    await net.agent.restart();
    await net.connectClient();
    const jumps = iptablesSave()
      .split('\n')
      .filter((line) => /^-A (PREROUTING|OUTPUT|POSTROUTING|FORWARD) .*-j STEVEDORE-/.test(line));
    assert.equal(new Set(jumps).size, jumps.length, 'no duplicated jumps after the restart');
    assert.equal(rulesForPort(port), 1);
    // The port is held again: a second container cannot take it.
    const clash = await cli('run', '--rm', '-p', `127.0.0.1:${port}:80`, net.image, 'true');
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
      net.image,
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
      const { Id } = await net.client.containers.create.mutate({
        name: 'quick',
        Config: { Image: net.image, Cmd: ['true'] },
        HostConfig: {
          AutoRemove: true,
          PortBindings: { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: String(port) }] },
        },
      });
      return new Promise<number>((resolve, reject) => {
        const subscription = net.client.containers.startAttached.subscribe(
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
    assert.deepEqual(await net.client.containers.list.query({ all: true, filters: ['name=quick'] }), []);
    assert.equal(rulesForPort(port), 0);
  });
});
