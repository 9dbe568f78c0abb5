import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { busyboxAgentSuite } from './harness/busybox-agent.js';

/** inspect, info and events carry the keys Docker's do, in Docker's shapes. */
describe('inspect/info/events shapes as Docker', () => {
  const { suite, ok } = busyboxAgentSuite();
  const json = async (...args: string[]) => JSON.parse(await ok(...args));

  test('container inspect: HostConfig and NetworkSettings keys Docker shows', async () => {
    const started = Math.floor(Date.now() / 1000) - 1;
    await ok('run', '-d', '--name', 'shape', '-p', '80', suite.busybox.reference, 'sleep', '300');
    const host = await json('inspect', '--format', '{{json .HostConfig}}', 'shape');
    assert.equal(host.Links, null);
    assert.equal(host.OomScoreAdj, 0);
    assert.equal(host.IpcMode, 'private');
    assert.equal(host.PidMode, '');
    assert.equal(host.UTSMode, '');
    assert.deepEqual([host.Dns, host.DnsOptions, host.DnsSearch, host.Devices], [[], [], [], []]);
    // Lists never set are null, as Docker prints them; empty optional maps are left out.
    assert.deepEqual(
      [host.ExtraHosts, host.GroupAdd, host.VolumesFrom, host.Binds],
      [null, null, null, null],
    );
    assert.equal('Sysctls' in host, false);
    assert.equal('Tmpfs' in host, false);
    const withSet = (
      await ok('create', '--add-host', 'h:10.0.0.1', '--tmpfs', '/run', suite.busybox.reference, 'true')
    ).trim();
    const setHost = await json('inspect', '--format', '{{json .HostConfig}}', withSet);
    assert.deepEqual(setHost.ExtraHosts, ['h:10.0.0.1']);
    assert.deepEqual(setHost.Tmpfs, { '/run': '' });
    await ok('rm', withSet);
    assert.ok(host.MaskedPaths.includes('/proc/kcore'));
    assert.ok(host.ReadonlyPaths.includes('/proc/sys'));
    const settings = await json('inspect', '--format', '{{json .NetworkSettings}}', 'shape');
    assert.equal(settings.Bridge, '');
    assert.match(settings.SandboxID, /^[0-9a-f]{64}$/);
    assert.equal(settings.EndpointID, settings.Networks.bridge.EndpointID);
    assert.notEqual(settings.EndpointID, '');
    const privileged = (await ok('create', '--privileged', suite.busybox.reference, 'true')).trim();
    const privilegedHost = await json('inspect', '--format', '{{json .HostConfig}}', privileged);
    assert.equal(privilegedHost.MaskedPaths, null, 'null where Docker has null');
    await ok('rm', privileged);

    // -p CONTAINER_PORT takes host ports upwards from the bottom of the ephemeral range.
    const [low] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8')
      .trim()
      .split(/\s+/)
      .map(Number);
    await ok('run', '-d', '--name', 'shape2', '-p', '80', suite.busybox.reference, 'sleep', '300');
    const port = async (name: string) =>
      Number((await ok('port', name, '80')).trim().split('\n')[0]!.split(':').at(-1));
    const first = await port('shape');
    const second = await port('shape2');
    assert.ok(first >= low!, `${first} >= ${low}`);
    assert.ok(second > first, `${second} after ${first}`);

    const until = Math.floor(Date.now() / 1000) + 1;
    const events = (
      await ok(
        'events',
        '--since',
        String(started),
        '--until',
        String(until),
        '--filter',
        'container=shape',
        '--format',
        '{{json .}}',
      )
    )
      .trim()
      .split('\n');
    const start = events.find((line) => line.includes('"Action":"start"'));
    assert.ok(start, events.join('\n'));
    assert.match(start, /^\{"status":"start","id":"[0-9a-f]{64}","from":"[^"]+","Type":"container"/);
    assert.match(start, /"timeNano":\d{19}\}$/, 'timeNano a number with all its digits');
    await ok('rm', '-f', 'shape', 'shape2');
  });

  test('image inspect: Parent, Comment, Author, GraphDriver', async () => {
    const image = await json('image', 'inspect', '--format', '{{json .}}', suite.busybox.reference);
    assert.equal(image.Parent, '');
    assert.equal(image.Comment, '');
    assert.equal(image.Author, '');
    assert.equal(image.GraphDriver.Name, 'overlay2');
    assert.match(image.GraphDriver.Data.UpperDir, /\/diff$/);
    assert.match(image.GraphDriver.Data.MergedDir, /\/merged$/);
    assert.equal(image.VirtualSize, image.Size);
    // Config keys Docker always prints, with its defaults where the image sets nothing.
    assert.deepEqual(
      [
        image.Config.Hostname,
        image.Config.Tty,
        image.Config.Entrypoint,
        image.Config.OnBuild,
        image.Config.Labels,
      ],
      ['', false, null, null, null],
    );
    assert.deepEqual(image.Config.Cmd, ['sh']);
  });

  test('names as Docker prints them; images REPO lists only that repository', async () => {
    await ok('tag', suite.busybox.reference, 'shapes/tagged:v1');
    try {
      const tags = await json('image', 'inspect', '--format', '{{json .RepoTags}}', 'shapes/tagged:v1');
      assert.ok(tags.includes('shapes/tagged:v1'), `no docker.io/ prefix: ${tags}`);
      assert.ok(tags.includes(suite.busybox.reference), `registry host kept: ${tags}`);
      const rows = await ok('images', '--format', '{{.Repository}}:{{.Tag}}', 'shapes/tagged');
      assert.equal(rows, 'shapes/tagged:v1\n');
    } finally {
      await ok('rmi', 'shapes/tagged:v1');
    }
  });

  test("version: {{.Server.APIVersion}} (Go's field name) and Components", async () => {
    assert.equal((await ok('version', '--format', '{{.Server.APIVersion}}')).trim().length > 0, true);
    const server = await json('version', '--format', '{{json .Server}}');
    assert.equal(server.Components[0].Name, 'Engine');
  });

  test('info: LoggingDriver, SecurityOptions, the kernel abilities, Warnings null', async () => {
    const info = await json('info', '--format', '{{json .}}');
    assert.equal(typeof info.LoggingDriver, 'string');
    assert.ok(info.SecurityOptions.includes('name=seccomp,profile=default'));
    assert.equal(info.Warnings, null, 'null when there are none, as Docker');
    assert.equal(info.IndexServerAddress, 'https://index.docker.io/v1/');
    assert.equal(info.RegistryConfig.IndexConfigs['docker.io'].Official, true);
    // The kernel's abilities, read from the same files the agent reads.
    if (info.CgroupVersion === '2') assert.equal(info.KernelMemory, false, 'no kernel memory limit on v2');
    assert.equal(info.IPv4Forwarding, readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8').trim() === '1');
    assert.equal(typeof info.MemoryLimit, 'boolean');
  });
});
