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
    assert.deepEqual(
      [host.Dns, host.DnsOptions, host.DnsSearch, host.ExtraHosts, host.Devices],
      [[], [], [], [], []],
    );
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
  });

  test('info: LoggingDriver and SecurityOptions', async () => {
    const info = await json('info', '--format', '{{json .}}');
    assert.equal(typeof info.LoggingDriver, 'string');
    assert.ok(info.SecurityOptions.includes('name=seccomp,profile=default'));
  });
});
