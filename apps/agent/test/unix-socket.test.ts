import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statfsSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type AgentConnection, createAgentClient } from '@stevedore/agent-api';
import { SystemInfoSchema } from '@stevedore/shared';
import { TRPCClientError } from '@trpc/client';
import { type AgentProcess, runAgentToExit, startAgent } from './harness/agent-process.js';

describe('agent on a unix socket', () => {
  let agent: AgentProcess;
  let connection: AgentConnection;

  before(async () => {
    agent = await startAgent();
    connection = createAgentClient({ host: agent.host });
  });
  after(async () => {
    await connection?.close();
    await agent?.stop();
  });

  test('the socket is a socket with mode 0600', () => {
    const stats = statSync(agent.socketPath);
    assert.ok(stats.isSocket());
    assert.equal(stats.mode & 0o777, 0o600);
  });

  test('system.ping answers OK', async () => {
    assert.equal(await connection.client.system.ping.query(), 'OK');
  });

  test('system.usage reports host CPU, memory and the data-root filesystem', async () => {
    const usage = await connection.client.system.usage.query();
    assert.equal(usage.ncpu, os.cpus().length);
    assert.equal(usage.memTotal, os.totalmem());
    const fs = statfsSync(agent.dataRoot);
    assert.equal(usage.diskTotal, fs.blocks * fs.bsize);
    assert.ok(usage.cpuPercent >= 0 && usage.cpuPercent <= 100);
  });

  test('system.info reports real host facts', async () => {
    const info = SystemInfoSchema.parse(await connection.client.system.info.query());
    const runcOutput = spawnSync('runc', ['--version'], { encoding: 'utf8' }).stdout;
    const runcVersion = /^runc version (\S+)/.exec(runcOutput)?.[1];
    assert.ok(runcVersion, 'runc --version printed a version');
    assert.equal(info.Runtimes.runc?.version, runcVersion);
    assert.equal(info.DefaultRuntime, 'runc');
    assert.equal(info.NCPU, os.cpus().length);
    assert.equal(info.MemTotal, os.totalmem());
    assert.equal(info.KernelVersion, os.release());
    assert.equal(info.Architecture, spawnSync('uname', ['-m'], { encoding: 'utf8' }).stdout.trim());
    assert.equal(info.DockerRootDir, agent.dataRoot);
    assert.equal(info.ExecRoot, agent.execRoot);
    assert.equal(info.Name, os.hostname());
    const cgroupVersion = existsSync('/sys/fs/cgroup/cgroup.controllers') ? '2' : '1';
    assert.equal(info.CgroupVersion, cgroupVersion);
    assert.match(info.OperatingSystem, new RegExp(prettyName().replace(/[()]/g, '\\$&')));
    assert.deepEqual(info.DriverStatus[0]?.[0], 'Backing Filesystem');
    assert.deepEqual(info.RegistryConfig.InsecureRegistryCIDRs, ['127.0.0.0/8']);
  });

  test('the image count comes from the image store directory', async () => {
    const before = await connection.client.system.info.query();
    assert.equal(before.Containers, 0);
    assert.equal(before.Images, 0);
    writeFileSync(join(agent.dataRoot, 'image', 'img1'), '{}');
    const after = await connection.client.system.info.query();
    assert.equal(after.Images, 1);
  });

  test('system.version reports the agent version', async () => {
    const version = await connection.client.system.version.query();
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    assert.equal(version.Version, pkg.version);
    assert.equal(version.NodeVersion, process.version);
  });

  test('tokens: plaintext once, hashes at rest, list without secrets, remove', async () => {
    const created = await connection.client.tokens.create.mutate({ name: 'ci-runner' });
    assert.match(created.token, /^sdt_[A-Za-z0-9_-]{43}$/);
    const file = join(agent.dataRoot, 'auth', 'tokens.json');
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const stored = readFileSync(file, 'utf8');
    assert.ok(!stored.includes(created.token), 'the plaintext token is not stored');
    assert.ok(stored.includes(createHashHex(created.token)), 'the sha256 of the token is stored');

    const listed = await connection.client.tokens.list.query();
    const entry = listed.find((t) => t.id === created.id);
    assert.deepEqual(entry, { id: created.id, name: 'ci-runner', createdAt: created.createdAt });
    assert.ok(!JSON.stringify(listed).includes(created.token));

    await assert.rejects(connection.client.tokens.create.mutate({ name: 'ci-runner' }), (error: unknown) => {
      assert.ok(error instanceof TRPCClientError);
      assert.equal(error.data?.code, 'CONFLICT');
      assert.equal(error.data?.stevedoreCode, 'ALREADY_EXISTS');
      return true;
    });

    await connection.client.tokens.remove.mutate({ id: created.id });
    assert.equal((await connection.client.tokens.list.query()).length, 0);
    await assert.rejects(connection.client.tokens.remove.mutate({ id: created.id }), (error: unknown) => {
      assert.ok(error instanceof TRPCClientError);
      assert.equal(error.data?.code, 'NOT_FOUND');
      assert.equal(error.data?.stevedoreCode, 'NOT_FOUND');
      assert.deepEqual(error.data?.context, { id: created.id });
      return true;
    });
  });

  test('invalid input is refused with a readable message', async () => {
    await assert.rejects(connection.client.tokens.create.mutate({ name: '-bad name' }), (error: unknown) => {
      assert.ok(error instanceof TRPCClientError);
      assert.equal(error.data?.code, 'BAD_REQUEST');
      assert.equal(error.data?.stevedoreCode, 'INVALID_ARGUMENT');
      assert.match(error.message, /^invalid input: name: must be 1-64 characters/);
      assert.equal(error.data?.stack, undefined, 'no stack trace on the wire');
      return true;
    });
  });

  test('a second agent on the same socket is refused and the first keeps serving', async (t) => {
    const other = mkdtempSync('/tmp/stevedore-second-');
    t.after(() => rmSync(other, { recursive: true, force: true }));
    const result = await runAgentToExit([
      '--data-root',
      join(other, 'data'),
      '--exec-root',
      join(other, 'exec'),
      '-H',
      agent.host,
    ]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, new RegExp(`another agent is listening on ${agent.host}`));
    // Refused before it set anything up: no iptables chains for its exec-root.
    const suffix = createHash('sha256').update(join(other, 'exec')).digest('hex').slice(0, 8);
    assert.doesNotMatch(
      spawnSync('iptables-save', [], { encoding: 'utf8' }).stdout,
      new RegExp(`STEVEDORE-FWD-${suffix}`),
    );
    assert.ok(existsSync(agent.socketPath), 'the first agent keeps its socket');
    assert.equal(await connection.client.system.ping.query(), 'OK');
  });
});

describe('agent lifecycle', () => {
  test('SIGTERM removes the socket; a stale socket after a crash is reclaimed; the ID survives', async (t) => {
    const agent = await startAgent();
    t.after(() => agent.stop());
    const firstId = await infoId(agent.host);

    assert.equal(await agent.kill9(), null);
    assert.ok(existsSync(agent.socketPath), 'a crashed agent leaves its socket file behind');
    await agent.restart();
    assert.equal(await infoId(agent.host), firstId, 'the engine ID is kept in the data-root');

    assert.equal(await agent.kill('SIGTERM'), 0);
    assert.ok(!existsSync(agent.socketPath), 'a graceful shutdown removes the socket file');
  });
});

async function infoId(host: string): Promise<string> {
  const connection = createAgentClient({ host });
  try {
    return (await connection.client.system.info.query()).ID;
  } finally {
    await connection.close();
  }
}

function prettyName(): string {
  const line = readFileSync('/etc/os-release', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('PRETTY_NAME='));
  return (line ?? '').slice('PRETTY_NAME='.length).replace(/^"|"$/g, '');
}

function createHashHex(token: string): string {
  return spawnSync('sha256sum', { input: token, encoding: 'utf8' }).stdout.split(' ')[0] as string;
}
