import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  ContainerConfigSchema,
  ContainerCreateSchema,
  type ContainerInspect,
  HostConfigSchema,
} from '@stevedore/shared';
import { diffForms, liveUpdate, needsRecreate, overlayChanges } from './diff';
import { createToForm, extraNetworks, fixedAddresses, inspectToCreate } from './from-inspect';
import { portConflicts } from './port-conflicts';
import { splitShellWords } from './shell-words';
import { ContainerFormSchema, formToCreate } from './to-create';
import { EMPTY_FORM, parseEnvFile } from './values';

const form = (changes: Partial<typeof EMPTY_FORM>) => ({ ...EMPTY_FORM, image: 'busybox', ...changes });
const issuesOf = (changes: Partial<typeof EMPTY_FORM>) =>
  Object.fromEntries(formToCreate(form(changes)).issues.map((issue) => [issue.path, issue.message]));

test('splitShellWords reads quotes and backslashes like a shell', () => {
  assert.deepEqual(splitShellWords(`sh -c "echo \\"hi\\" \\$HOME" 'a b' c\\ d ''`), {
    words: ['sh', '-c', 'echo "hi" $HOME', 'a b', 'c d', ''],
  });
  assert.deepEqual(splitShellWords('echo "open'), { error: 'unclosed double quote' });
  assert.deepEqual(
    formToCreate(form({ entrypoint: "''" })).create?.Config.Entrypoint,
    [],
    "'' is an empty entrypoint",
  );
  assert.deepEqual(formToCreate(form({ entrypoint: '/bin/sh -c' })).create?.Config.Entrypoint, [
    '/bin/sh',
    '-c',
  ]);
});

test('parseEnvFile skips comments and blanks and keeps = inside values', () => {
  assert.deepEqual(parseEnvFile('# db\nA=1\n\n  B=x=y\nexport C=\nD\r\n'), [
    { key: 'A', value: '1' },
    { key: 'B', value: 'x=y' },
    { key: 'C', value: '' },
    { key: 'D', value: '' },
  ]);
});

test('formToCreate builds the request the CLI would', () => {
  const { create, issues } = formToCreate(
    form({
      name: 'web',
      command: 'sh -c "sleep 100"',
      env: [
        { key: 'A', value: '1' },
        { key: '', value: '' },
      ],
      ports: [{ hostIp: '', hostPort: '8080', containerPort: '80', protocol: 'tcp' }],
      volumes: [{ source: '/srv', target: '/data', readOnly: true }],
      memory: '512m',
      cpus: '1.5',
      restart: 'on-failure',
      restartRetries: '3',
      networkAliases: 'a, b',
      network: 'appnet',
      logDriver: 'json-file',
      logOptions: [{ key: 'max-size', value: '10m' }],
    }),
  );
  assert.deepEqual(issues, []);
  assert.ok(create);
  assert.deepEqual(create.Config.Cmd, ['sh', '-c', 'sleep 100']);
  assert.deepEqual(create.Config.Env, ['A=1']);
  assert.deepEqual(create.HostConfig.PortBindings, { '80/tcp': [{ HostIp: '', HostPort: '8080' }] });
  assert.deepEqual(create.Config.ExposedPorts, { '80/tcp': {} });
  assert.deepEqual(create.HostConfig.Binds, ['/srv:/data:ro']);
  assert.equal(create.HostConfig.Memory, 512 * 1024 ** 2);
  assert.equal(create.HostConfig.NanoCpus, 1_500_000_000);
  assert.deepEqual(create.HostConfig.RestartPolicy, { Name: 'on-failure', MaximumRetryCount: 3 });
  assert.deepEqual(create.NetworkingConfig.EndpointsConfig, {
    appnet: { Aliases: ['a', 'b'], IPAMConfig: {} },
  });
  assert.deepEqual(create.HostConfig.LogConfig, { Type: 'json-file', Config: { 'max-size': '10m' } });
});

test('errors land beside the field they come from, with the engine schema wording', () => {
  const issues = issuesOf({
    image: '',
    memory: '12Q',
    memoryReservation: '1m',
    ports: [
      { hostIp: '', hostPort: '80', containerPort: '80', protocol: 'tcp' },
      { hostIp: '', hostPort: '99999', containerPort: '81', protocol: 'tcp' },
      { hostIp: '', hostPort: '', containerPort: '99999', protocol: 'udp' },
    ],
    env: [{ key: '', value: 'orphan' }],
    volumes: [{ source: '', target: 'relative', readOnly: false }],
    cpusetCpus: '0-x',
    blkioWeight: '5',
    hostname: 'bad_host!',
    ulimits: [{ name: 'nofile', soft: '10', hard: '5' }],
  });
  assert.match(issues.image ?? '', /image is required/);
  assert.match(issues.memory ?? '', /invalid size "12Q"/);
  assert.match(issues.memoryReservation ?? '', /6MB/);
  assert.equal(issues['ports.0.hostPort'], undefined);
  assert.match(issues['ports.1.hostPort'] ?? '', /host port/);
  assert.match(issues['ports.2.containerPort'] ?? '', /container port/);
  assert.match(issues['env.0.key'] ?? '', /KEY not empty/);
  assert.match(issues['volumes.0.target'] ?? '', /absolute path/);
  assert.match(issues.cpusetCpus ?? '', /cpuset/);
  assert.match(issues.blkioWeight ?? '', /between 10 and 1000/);
  assert.match(issues.hostname ?? '', /hostname/);
  assert.match(issues['ulimits.0.name'] ?? '', /soft value/);
  assert.equal(formToCreate(form({ memory: '12Q' })).create, null);
  assert.match(issuesOf({ image: 'Bad Image!' }).image ?? '', /./);
  assert.equal(issuesOf({ image: 'registry.local:5000/team/app:1.2' }).image, undefined);
});

test('the react-hook-form schema reports the same issues at the same paths', () => {
  const result = ContainerFormSchema.safeParse(form({ memory: '12Q' }));
  assert.equal(result.success, false);
  assert.deepEqual(
    result.error?.issues.map((issue) => issue.path.join('.')),
    ['memory'],
  );
  assert.equal(ContainerFormSchema.safeParse(form({ memory: '64m' })).success, true);
});

function inspectFixture(): ContainerInspect {
  const id = 'a'.repeat(64);
  const config = ContainerConfigSchema.parse({
    Image: 'busybox',
    Cmd: ['sleep', '1000'],
    Env: ['PATH=/usr/bin', 'A=1'],
    Hostname: id.slice(0, 12),
    Labels: { team: 'core' },
    Volumes: { '/image-vol': {} },
    ExposedPorts: { '80/tcp': {} },
    StopSignal: 'SIGQUIT',
  });
  const host = HostConfigSchema.parse({
    Binds: ['/srv/conf:/conf:ro', 'named:/named', '/anon'],
    Memory: 64 * 1024 ** 2,
    NetworkMode: 'appnet',
    PortBindings: { '80/tcp': [{ HostIp: '', HostPort: '8080' }] },
    LogConfig: { Type: 'json-file', Config: { 'max-size': '1m' } },
    SecurityOpt: ['no-new-privileges'],
  });
  const mount = (Name: string, Destination: string) => ({
    Type: 'volume' as const,
    Name,
    Source: `/var/lib/stevedore/volumes/${Name}`,
    Destination,
    Mode: '',
    RW: true,
    Propagation: '',
  });
  return {
    Id: id,
    Name: '/web',
    Config: config,
    HostConfig: host,
    Mounts: [
      {
        Type: 'bind',
        Source: '/srv/conf',
        Destination: '/conf',
        Mode: 'ro',
        RW: false,
        Propagation: 'rprivate',
      },
      mount('named', '/named'),
      mount('b'.repeat(64), '/anon'),
      mount('c'.repeat(64), '/image-vol'),
    ],
    NetworkSettings: {
      Networks: {
        appnet: {
          NetworkID: 'n',
          EndpointID: 'e',
          IPAddress: '10.89.0.2',
          IPPrefixLen: 24,
          Gateway: '10.89.0.1',
          MacAddress: '',
          Aliases: ['www', 'front'],
        },
      },
    },
  } as unknown as ContainerInspect;
}

test('inspectToCreate keeps every setting; a recreate mounts the same volumes by name', () => {
  const inspect = inspectFixture();
  const recreate = inspectToCreate(inspect, 'recreate');
  assert.equal(recreate.name, 'web');
  assert.equal(recreate.Config.Hostname, '', 'the engine-given hostname is not pinned');
  assert.deepEqual(recreate.HostConfig.Binds, [
    '/srv/conf:/conf:ro',
    'named:/named',
    `${'b'.repeat(64)}:/anon`,
    `${'c'.repeat(64)}:/image-vol`,
  ]);
  assert.deepEqual(recreate.NetworkingConfig.EndpointsConfig, {
    appnet: { Aliases: ['www', 'front'], IPAMConfig: {} },
  });
  assert.deepEqual(recreate.HostConfig.LogConfig, inspect.HostConfig.LogConfig);
  assert.deepEqual(recreate.HostConfig.SecurityOpt, ['no-new-privileges']);
  assert.equal(recreate.Config.StopSignal, 'SIGQUIT');
  ContainerCreateSchema.parse(recreate);

  assert.deepEqual(extraNetworks(inspect), [], 'appnet is its NetworkMode network');
  const connected = structuredClone(inspect);
  const appnet = connected.NetworkSettings.Networks.appnet;
  assert.ok(appnet);
  connected.NetworkSettings.Networks.other = { ...appnet, Aliases: ['o1'] };
  assert.deepEqual(extraNetworks(connected), [{ network: 'other', aliases: ['o1'] }]);
  assert.deepEqual(
    Object.keys(inspectToCreate(connected, 'recreate').NetworkingConfig.EndpointsConfig),
    ['appnet'],
    'the create request configures its own network only',
  );

  const duplicate = inspectToCreate(inspect, 'duplicate');
  assert.equal(duplicate.name, undefined);
  assert.deepEqual(
    duplicate.HostConfig.Binds,
    inspect.HostConfig.Binds,
    'a duplicate gets its own anonymous volumes',
  );
});

test('a recreate asks for fixed addresses (--ip) again; a duplicate leaves the address to the engine', () => {
  const inspect = inspectFixture();
  const appnet = inspect.NetworkSettings.Networks.appnet;
  assert.ok(appnet);
  appnet.IPAMConfig = { IPv4Address: '10.89.0.2' };
  inspect.NetworkSettings.Networks.other = {
    ...appnet,
    Aliases: [],
    IPAddress: '10.90.0.7',
    IPAMConfig: { IPv4Address: '10.90.0.7' },
  };
  inspect.NetworkSettings.Networks.third = {
    ...appnet,
    Aliases: [],
    IPAddress: '10.91.0.3',
    IPAMConfig: null,
  };
  assert.deepEqual(inspectToCreate(inspect, 'recreate').NetworkingConfig.EndpointsConfig.appnet, {
    Aliases: ['www', 'front'],
    IPAMConfig: { IPv4Address: '10.89.0.2' },
  });
  assert.deepEqual(
    inspectToCreate(inspect, 'duplicate').NetworkingConfig.EndpointsConfig.appnet?.IPAMConfig,
    {},
  );
  assert.deepEqual(extraNetworks(inspect), [
    { network: 'other', aliases: [], address: '10.90.0.7' },
    { network: 'third', aliases: [] },
  ]);
  assert.deepEqual(fixedAddresses(inspect), [
    { network: 'appnet', address: '10.89.0.2', aliases: ['www', 'front'] },
    { network: 'other', address: '10.90.0.7', aliases: [] },
  ]);
});

test('an edit overlays only the changed fields on the full settings', () => {
  const base = inspectToCreate(inspectFixture(), 'recreate');
  const before = createToForm(base);
  assert.deepEqual(formToCreate(before).issues, [], 'the filled form is valid as it is');
  const after = { ...before, env: [...before.env, { key: 'B', value: '2' }], memory: '128m', name: 'web2' };
  const changes = diffForms(before, after);
  assert.deepEqual(
    changes.map((c) => [c.field, c.live]),
    [
      ['name', true],
      ['env', false],
      ['memory', true],
    ],
  );
  assert.equal(needsRecreate(changes), true);
  assert.equal(changes[1]?.after, 'PATH=/usr/bin\nA=1\nB=2');
  const edited = formToCreate(after).create;
  assert.ok(edited);
  const next = overlayChanges(
    base,
    edited,
    changes.map((c) => c.field),
  );
  assert.deepEqual(next.Config.Env, ['PATH=/usr/bin', 'A=1', 'B=2']);
  assert.equal(next.HostConfig.Memory, 128 * 1024 ** 2);
  assert.equal(next.name, 'web2');
  // Untouched: what the form shows and what it does not.
  assert.deepEqual(next.HostConfig.Binds, base.HostConfig.Binds);
  assert.deepEqual(next.NetworkingConfig, base.NetworkingConfig);
  assert.deepEqual(next.HostConfig.LogConfig, base.HostConfig.LogConfig);
  assert.deepEqual(next.HostConfig.SecurityOpt, base.HostConfig.SecurityOpt);
  assert.deepEqual(next.Config.Volumes, base.Config.Volumes);
  assert.deepEqual(liveUpdate(edited, changes), { Memory: 128 * 1024 ** 2 });
});

test('only live changes need no recreate', () => {
  const before = form({ memory: '64m', restart: 'no' });
  const changes = diffForms(before, { ...before, memory: '', restart: 'always', pidsLimit: '50' });
  assert.equal(needsRecreate(changes), false);
  const edited = formToCreate({ ...before, memory: '', restart: 'always', pidsLimit: '50' }).create;
  assert.ok(edited);
  assert.deepEqual(liveUpdate(edited, changes), {
    Memory: 0,
    PidsLimit: 50,
    RestartPolicy: { Name: 'always', MaximumRetryCount: 0 },
  });
  assert.deepEqual(diffForms(before, before), []);
});

test('portConflicts flags host ports another container publishes, and repeats in the form', () => {
  const row = (hostPort: string, protocol: 'tcp' | 'udp' = 'tcp', hostIp = '') => ({
    hostIp,
    hostPort,
    containerPort: '80',
    protocol,
  });
  const published = [
    { hostIp: '0.0.0.0', hostPort: 8080, protocol: 'tcp', container: 'web' },
    { hostIp: '127.0.0.1', hostPort: 9000, protocol: 'tcp', container: 'api' },
  ];
  assert.deepEqual(
    portConflicts(
      [row('8080'), row('8080', 'udp'), row('9000', 'udp', '127.0.0.2'), row(''), row('9000'), row('9000')],
      published,
    ),
    [
      { index: 0, message: 'host port 8080/tcp is already published by web' },
      { index: 4, message: 'host port 9000/tcp is already published by api' },
      { index: 5, message: 'host port 9000/tcp is already published by api' },
      { index: 5, message: 'host port 9000/tcp is also in row 5' },
    ],
  );
  assert.deepEqual(
    portConflicts([row('8080')], published, 'web'),
    [],
    'the edited container keeps its own ports',
  );
});

test('the less common run flags: built, checked, and read back into the same form', () => {
  const filled = form({
    stopSignal: 'SIGQUIT',
    stopTimeout: '5',
    securityOpt: 'no-new-privileges',
    shmSize: '64m',
    expose: '8080, 53/udp',
    publishAll: true,
    cpuPeriod: '100000',
    cpuQuota: '50000',
    deviceReadBps: '/dev/sda:1m',
    deviceWriteBps: '/dev/sda:2m, /dev/sdb:1k',
    oomKillDisable: true,
  });
  const { create, issues } = formToCreate(filled);
  assert.deepEqual(issues, []);
  assert.ok(create);
  assert.equal(create.Config.StopSignal, 'SIGQUIT');
  assert.equal(create.Config.StopTimeout, 5);
  assert.deepEqual(create.Config.ExposedPorts, { '8080/tcp': {}, '53/udp': {} });
  assert.deepEqual(create.HostConfig.BlkioDeviceWriteBps, [
    { Path: '/dev/sda', Rate: 2 * 1024 ** 2 },
    { Path: '/dev/sdb', Rate: 1024 },
  ]);
  assert.equal(create.HostConfig.ShmSize, 64 * 1024 ** 2);
  assert.deepEqual(createToForm(create), filled);

  const issues2 = issuesOf({
    stopSignal: 'SIGNOPE',
    deviceReadBps: 'nocolon',
    expose: '99999',
    shmSize: '1k',
  });
  assert.ok(issues2.stopSignal, 'stop signal checked by the engine schema');
  assert.match(issues2.deviceReadBps ?? '', /DEVICE:RATE/);
  assert.match(issues2.expose ?? '', /1-65535/);
  assert.match(issues2.shmSize ?? '', /4 KiB/);
});
