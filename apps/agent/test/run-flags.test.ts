import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { busyboxAgentSuite } from './harness/busybox-agent.js';

/** `run`/`create` flags in Docker's syntax: their checks, their effect inside the container, inspect. */
describe('run/create flags as Docker', () => {
  const { suite, cli, ok } = busyboxAgentSuite();
  let work: string;
  const runOnce = (...args: string[]) => cli('run', '--rm', '--network', 'none', ...args);
  const inspect = async (id: string, template: string) =>
    JSON.parse(await ok('inspect', '--format', `{{json ${template}}}`, id));

  before(() => {
    work = mkdtempSync(join(tmpdir(), 'stevedore-run-flags-'));
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  test('bad values exit 125 with Docker’s messages, before anything is created', async () => {
    const cases: [string[], RegExp][] = [
      [
        ['--add-host', 'nocolon'],
        /invalid argument "nocolon" for "--add-host" flag: bad format for add-host/,
      ],
      [['--add-host', 'a:notanip'], /invalid IP address in add-host: "notanip"/],
      [['--dns', 'x.y'], /invalid argument "x.y" for "--dns" flag: x.y is not an ip address/],
      [['--dns-search', 'bad_domain!'], /bad_domain! is not a valid domain/],
      [['--sysctl', 'kernel.hostname=x'], /sysctl 'kernel.hostname=x' is not whitelisted/],
      [
        ['--mount', 'type=nfs,dst=/x'],
        /invalid argument "type=nfs,dst=\/x" for "--mount" flag: invalid value for type/,
      ],
      [['--mount', 'type=bind,src=/tmp'], /target is required/],
      [
        ['--mount', 'type=volume,dst=/x,tmpfs-size=1m'],
        /cannot mix 'tmpfs-\*' options with mount type 'volume'/,
      ],
      [['--device', 'dev/null'], /dev\/null is not an absolute path/],
      [['--device', '/dev/null:/dev/x:rwz'], /bad mode specified: rwz/],
      [['--pid', 'nonsense'], /--pid: invalid PID mode/],
      [['--ipc', 'nonsense'], /--ipc: invalid IPC mode/],
      [['--uts', 'container:x'], /--uts: invalid UTS mode/],
      [
        ['--label-file', join(tmpdir(), 'no-such-label-file')],
        /open .*no-such-label-file: no such file or directory/,
      ],
    ];
    for (const [flags, message] of cases) {
      const result = await cli('create', ...flags, suite.busybox.reference, 'true');
      assert.equal(result.code, 125, `${flags.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr, message, flags.join(' '));
    }
    // The engine refuses another platform: `create` exits 1 for an engine refusal, as Docker's.
    for (const platform of ['windows/amd64', 'linux/s390x']) {
      const result = await cli('create', '--platform', platform, suite.busybox.reference, 'true');
      assert.equal(result.code, 1, `--platform ${platform}: ${result.stderr}`);
      assert.match(result.stderr, new RegExp(`platform ${platform.replace('/', '\\/')} is not supported`));
    }
    assert.equal((await ok('ps', '-aq')).trim(), '', 'nothing was created');
  });

  test('-v refuses a relative host path like Docker and accepts z/Z and propagation options', async () => {
    const relative = await runOnce('-v', './data:/data', suite.busybox.reference, 'true');
    assert.equal(relative.code, 125);
    assert.match(
      relative.stderr,
      /"\.\/data" includes invalid characters for a local volume name, only "\[a-zA-Z0-9\]\[a-zA-Z0-9_.-\]" are allowed. If you intended to pass a host directory, use absolute path/,
    );
    const dir = mkdtempSync(join(work, 'bind-'));
    writeFileSync(join(dir, 'f'), 'hello\n');
    const relabel = await runOnce(
      '-v',
      `${dir}:/a:ro,z`,
      '-v',
      `${dir}:/b:Z`,
      '-v',
      `${dir}:/c:rslave`,
      suite.busybox.reference,
      'sh',
      '-c',
      'cat /a/f /b/f /c/f; touch /a/x',
    );
    assert.equal(relabel.stdout, 'hello\nhello\nhello\n', relabel.stderr);
    assert.notEqual(relabel.code, 0, ':ro,z is read-only');
  });

  test('--add-host, --dns, --dns-search, --dns-option reach /etc/hosts and /etc/resolv.conf, and inspect', async () => {
    const flags = [
      '--add-host',
      'db.internal:10.1.2.3',
      '--add-host',
      'v6host:[::1]',
      '--dns',
      '10.0.0.53',
      '--dns-search',
      'example.test',
      '--dns-option',
      'ndots:3',
      '--dns-option',
      'timeout:2',
    ];
    const result = await runOnce(...flags, suite.busybox.reference, 'cat', '/etc/hosts', '/etc/resolv.conf');
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^10\.1\.2\.3\tdb\.internal$/m);
    assert.match(result.stdout, /^::1\tv6host$/m);
    assert.match(result.stdout, /^nameserver 10\.0\.0\.53$/m);
    assert.doesNotMatch(result.stdout, /^nameserver (?!10\.0\.0\.53)/m, 'only the --dns server');
    assert.match(result.stdout, /^search example\.test$/m);
    assert.match(result.stdout, /^options ndots:3 timeout:2$/m);

    const id = (await ok('create', '--network', 'none', ...flags, suite.busybox.reference, 'true')).trim();
    const host = await inspect(id, '.HostConfig');
    assert.deepEqual(host.ExtraHosts, ['db.internal:10.1.2.3', 'v6host:::1']);
    assert.deepEqual(host.Dns, ['10.0.0.53']);
    assert.deepEqual(host.DnsSearch, ['example.test']);
    assert.deepEqual(host.DnsOptions, ['ndots:3', 'timeout:2']);
    await ok('rm', id);
  });

  test('--add-host NAME:host-gateway is the bridge gateway', async () => {
    const ipam = JSON.parse(await ok('network', 'inspect', '--format', '{{json .IPAM.Config}}', 'bridge'));
    const gateway: string = ipam[0].Gateway;
    assert.match(gateway, /^\d+\.\d+\.\d+\.\d+$/);
    const result = await cli(
      'run',
      '--rm',
      '--add-host',
      'host.docker.internal:host-gateway',
      suite.busybox.reference,
      'cat',
      '/etc/hosts',
    );
    assert.equal(result.code, 0, result.stderr);
    assert.match(
      result.stdout,
      new RegExp(`^${gateway.replaceAll('.', '\\.')}\\thost\\.docker\\.internal$`, 'm'),
    );
  });

  test('--mount bind (readonly, propagation), volume (volume-opt) and tmpfs (size, mode)', async () => {
    const dir = mkdtempSync(join(work, 'mount-'));
    writeFileSync(join(dir, 'f'), 'from host\n');
    const result = await runOnce(
      '--mount',
      `type=bind,source=${dir},target=/ro,readonly,bind-propagation=rslave`,
      '--mount',
      `type=bind,src=${dir},dst=/rw`,
      '--mount',
      'type=volume,src=run-flags-vol,destination=/vol,volume-opt=type=tmpfs,volume-opt=device=tmpfs,volume-opt=o=size=1m',
      '--mount',
      'type=tmpfs,dst=/scratch,tmpfs-size=1m,tmpfs-mode=1770',
      suite.busybox.reference,
      'sh',
      '-c',
      'cat /ro/f; echo x > /rw/written; touch /vol/v && echo vol-ok; stat -c %a /scratch; grep " /scratch " /proc/mounts; touch /ro/denied',
    );
    assert.notEqual(result.code, 0, 'readonly bind refuses writes');
    assert.match(result.stderr, /Read-only file system/);
    const lines = result.stdout.split('\n');
    assert.equal(lines[0], 'from host');
    assert.equal(lines[1], 'vol-ok');
    assert.equal(lines[2], '1770');
    assert.match(lines[3]!, /^tmpfs \/scratch tmpfs .*size=1024k/);
    assert.equal(readFileSync(join(dir, 'written'), 'utf8'), 'x\n');
    const missing = await runOnce(
      '--mount',
      `type=bind,src=${join(dir, 'absent')},dst=/x`,
      suite.busybox.reference,
      'true',
    );
    assert.equal(missing.code, 125);
    assert.match(missing.stderr, /bind source path does not exist: .*absent/);
    assert.equal(existsSync(join(dir, 'absent')), false, '--mount never makes a missing source');

    const id = (
      await ok(
        'create',
        '--network',
        'none',
        '--mount',
        `type=bind,src=${dir},dst=/rw`,
        '--mount',
        'type=tmpfs,dst=/t',
        suite.busybox.reference,
        'true',
      )
    ).trim();
    const mounts = await inspect(id, '.Mounts');
    assert.deepEqual(
      mounts.map((m: { Type: string; Destination: string }) => `${m.Type}:${m.Destination}`).sort(),
      ['bind:/rw', 'tmpfs:/t'],
    );
    assert.equal((await inspect(id, '.HostConfig.Mounts')).length, 2);
    await ok('rm', id);
    await ok('volume', 'rm', 'run-flags-vol');
  });

  test('--device adds the node and allows it in the device cgroup; a missing one is a create error', async () => {
    const result = await runOnce(
      '--device',
      '/dev/null:/dev/mynull:rw',
      suite.busybox.reference,
      'sh',
      '-c',
      'stat -c "%t,%T %F" /dev/mynull && echo data > /dev/mynull && echo written',
    );
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, '1,3 character special file\nwritten\n');
    const missing = await runOnce('--device', '/dev/no-such-device', suite.busybox.reference, 'true');
    assert.equal(missing.code, 125);
    assert.match(
      missing.stderr,
      /error gathering device information while adding custom device "\/dev\/no-such-device": no such file or directory/,
    );
    const id = (
      await ok(
        'create',
        '--network',
        'none',
        '--device',
        '/dev/null:/dev/mynull:r',
        suite.busybox.reference,
        'true',
      )
    ).trim();
    assert.deepEqual(await inspect(id, '.HostConfig.Devices'), [
      { PathOnHost: '/dev/null', PathInContainer: '/dev/mynull', CgroupPermissions: 'r' },
    ]);
    await ok('rm', id);
  });

  test('--sysctl sets namespaced sysctls; net.* is refused with --network host', async () => {
    const result = await runOnce(
      '--sysctl',
      'net.ipv4.ip_forward=1',
      '--sysctl',
      'kernel.shmmni=2048',
      suite.busybox.reference,
      'cat',
      '/proc/sys/net/ipv4/ip_forward',
      '/proc/sys/kernel/shmmni',
    );
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, '1\n2048\n');
    const hostNet = await cli(
      'run',
      '--rm',
      '--network',
      'host',
      '--sysctl',
      'net.ipv4.ip_forward=1',
      suite.busybox.reference,
      'true',
    );
    assert.equal(hostNet.code, 125);
    assert.match(hostNet.stderr, /net\.\* sysctls are not allowed with --network host/);
  });

  test('--group-add by GID and by name; an unknown name fails the start', async () => {
    const result = await runOnce(
      '--group-add',
      '1234',
      '--group-add',
      'nogroup',
      suite.busybox.reference,
      'id',
      '-G',
    );
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(result.stdout.trim().split(' ').sort(), ['0', '1234', '65534']);
    const unknown = await runOnce('--group-add', 'nosuchgroup', suite.busybox.reference, 'true');
    assert.notEqual(unknown.code, 0);
    assert.match(unknown.stderr, /Unable to find group nosuchgroup/);
  });

  test('--pid/--ipc/--uts host and container:NAME join those namespaces', async () => {
    const ns = (kind: string) => readlinkSync(`/proc/self/ns/${kind}`);
    const host = await runOnce(
      '--pid',
      'host',
      '--ipc',
      'host',
      '--uts',
      'host',
      suite.busybox.reference,
      'sh',
      '-c',
      'for n in pid ipc uts; do busybox readlink /proc/self/ns/$n; done; hostname',
    );
    assert.equal(host.code, 0, host.stderr);
    assert.equal(host.stdout, `${ns('pid')}\n${ns('ipc')}\n${ns('uts')}\n${hostname()}\n`);
    const own = await runOnce(suite.busybox.reference, 'busybox', 'readlink', '/proc/self/ns/pid');
    assert.notEqual(own.stdout.trim(), ns('pid'), 'by default a PID namespace of its own');
    const conflict = await runOnce('--uts', 'host', '-h', 'named', suite.busybox.reference, 'true');
    assert.equal(conflict.code, 125);
    assert.match(conflict.stderr, /Conflicting options: hostname and the UTS mode/);

    await ok(
      'run',
      '-d',
      '--name',
      'ns-target',
      '--network',
      'none',
      '--ipc',
      'shareable',
      suite.busybox.reference,
      'sleep',
      '300',
    );
    const pid = Number((await ok('inspect', '--format', '{{.State.Pid}}', 'ns-target')).trim());
    const joined = await runOnce(
      '--pid',
      'container:ns-target',
      '--ipc',
      'container:ns-target',
      suite.busybox.reference,
      'sh',
      '-c',
      'for n in pid ipc; do busybox readlink /proc/self/ns/$n; done; ps -o comm | grep -c sleep',
    );
    assert.equal(joined.code, 0, joined.stderr);
    assert.equal(
      joined.stdout,
      `${readlinkSync(`/proc/${pid}/ns/pid`)}\n${readlinkSync(`/proc/${pid}/ns/ipc`)}\n1\n`,
    );
    const modes = await inspect('ns-target', '.HostConfig');
    assert.equal(modes.IpcMode, 'shareable');
    assert.equal(modes.PidMode, '');
    const missing = await runOnce('--pid', 'container:no-such-container', suite.busybox.reference, 'true');
    assert.equal(missing.code, 125);
    assert.match(missing.stderr, /No such container: no-such-container/);
    await ok(
      'run',
      '-d',
      '--name',
      'ns-private',
      '--network',
      'none',
      suite.busybox.reference,
      'sleep',
      '300',
    );
    const privateIpc = await runOnce('--ipc', 'container:ns-private', suite.busybox.reference, 'true');
    assert.equal(privateIpc.code, 125);
    assert.match(
      privateIpc.stderr,
      /non-shareable IPC \(hint: use IpcMode:shareable for the donor container\)/,
    );
    await ok('rm', '-f', 'ns-target', 'ns-private');
  });

  test('--cidfile writes the ID and refuses an existing file; --label-file; --platform of the host', async () => {
    const cidfile = join(work, 'cid');
    const id = (
      await ok('create', '--cidfile', cidfile, '--network', 'none', suite.busybox.reference, 'true')
    ).trim();
    assert.equal(readFileSync(cidfile, 'utf8'), id);
    const again = await cli('create', '--cidfile', cidfile, suite.busybox.reference, 'true');
    assert.equal(again.code, 1, 'docker create exits 1 here, run 125');
    assert.equal(
      again.stderr.trim(),
      `Container ID file found, make sure the other container isn't running or delete ${cidfile}`,
    );
    await ok('rm', id);

    const labels = join(work, 'labels');
    writeFileSync(labels, '# team labels\ntier=backend\n\nowner=ops\n');
    const architecture =
      ({ x64: 'amd64', arm64: 'arm64' } as Record<string, string>)[process.arch] ?? process.arch;
    const labelled = (
      await ok(
        'create',
        '--label-file',
        labels,
        '--label',
        'owner=dev',
        '--platform',
        `linux/${architecture}`,
        '--network',
        'none',
        suite.busybox.reference,
        'true',
      )
    ).trim();
    assert.deepEqual(await inspect(labelled, '.Config.Labels'), { tier: 'backend', owner: 'dev' });
    await ok('rm', labelled);
  });

  test('--volumes-from takes another container’s volumes, read-only with :ro', async () => {
    await ok(
      'run',
      '--name',
      'vf-source',
      '--network',
      'none',
      '-v',
      '/shared',
      suite.busybox.reference,
      'sh',
      '-c',
      'echo kept > /shared/file',
    );
    const read = await runOnce('--volumes-from', 'vf-source', suite.busybox.reference, 'cat', '/shared/file');
    assert.equal(read.code, 0, read.stderr);
    assert.equal(read.stdout, 'kept\n');
    const readOnly = await runOnce(
      '--volumes-from',
      'vf-source:ro',
      suite.busybox.reference,
      'touch',
      '/shared/other',
    );
    assert.notEqual(readOnly.code, 0);
    assert.match(readOnly.stderr, /Read-only file system/);
    const missing = await runOnce('--volumes-from', 'no-such-container', suite.busybox.reference, 'true');
    assert.equal(missing.code, 125);
    await ok('rm', '-v', 'vf-source');
  });
});
