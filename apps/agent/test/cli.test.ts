import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { after, before, describe, test } from 'node:test';
import { type AgentProcess, startAgent } from './harness/agent-process.js';
import { agentCli, runCli } from './harness/cli-process.js';

const agentVersion = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

describe('stevedore CLI against a real agent', () => {
  let agent: AgentProcess;
  const { cli } = agentCli(() => agent.host);

  before(async () => {
    agent = await startAgent({
      config: {
        'registry-mirrors': ['https://mirror.test:5000'],
        'insecure-registries': ['registry.test:5000', '10.20.0.0/16'],
      },
      extraArgs: ['--live-restore'],
    });
  });
  after(() => agent?.stop());

  test('info prints the Server section like docker info', async () => {
    const { code, stdout } = await cli('info');
    assert.equal(code, 0);
    for (const line of [
      'Server:',
      ' Containers: 0',
      '  Running: 0',
      ' Images: 0',
      ` Server Version: ${agentVersion}`,
      ' Storage Driver: overlay2',
      '  Supports d_type: true',
      ' Cgroup Driver: cgroupfs',
      ' Default Runtime: runc',
      ` Kernel Version: ${os.release()}`,
      ' OSType: linux',
      ` CPUs: ${os.cpus().length}`,
      ` Name: ${os.hostname()}`,
      ` Root Dir: ${agent.dataRoot}`,
      ' Registry Mirrors:\n  https://mirror.test:5000/',
      ' Insecure Registries:\n  registry.test:5000\n  127.0.0.0/8\n  10.20.0.0/16',
      ' Live Restore Enabled: true',
    ]) {
      assert.ok(stdout.includes(`${line}\n`), `missing line ${JSON.stringify(line)} in:\n${stdout}`);
    }
    assert.match(stdout, / Total Memory: \d+(\.\d+)?GiB\n/);
  });

  test("info --format '{{.ServerVersion}}' prints just the version", async () => {
    const { code, stdout } = await cli('info', '--format', '{{.ServerVersion}}');
    assert.equal(code, 0);
    assert.equal(stdout, `${agentVersion}\n`);
  });

  test("info --format '{{json .RegistryConfig}}' prints the registry configuration", async () => {
    const { code, stdout } = await cli('info', '--format', '{{json .RegistryConfig}}');
    assert.equal(code, 0);
    assert.deepEqual(JSON.parse(stdout), {
      Mirrors: ['https://mirror.test:5000/'],
      InsecureRegistryCIDRs: ['127.0.0.0/8', '10.20.0.0/16'],
      InsecureRegistries: ['registry.test:5000'],
      IndexConfigs: {
        'docker.io': {
          Name: 'docker.io',
          Mirrors: ['https://mirror.test:5000/'],
          Secure: true,
          Official: true,
        },
        'registry.test:5000': { Name: 'registry.test:5000', Mirrors: [], Secure: false, Official: false },
      },
      AllowNondistributableArtifactsCIDRs: [],
      AllowNondistributableArtifactsHostnames: [],
    });
  });

  test('info --format json and literal text with escapes', async () => {
    const json = await cli('info', '--format', 'json');
    assert.equal(JSON.parse(json.stdout).DockerRootDir, agent.dataRoot);
    const text = await cli('info', '-f', 'cpus={{.NCPU}}\\tlive={{.LiveRestoreEnabled}}');
    assert.equal(text.stdout, `cpus=${os.cpus().length}\tlive=true\n`);
  });

  test('an unknown template field fails like Docker with exit 1', async () => {
    const { code, stdout, stderr } = await cli('info', '--format', '{{.Foo}}');
    assert.equal(code, 1);
    assert.equal(stdout, '');
    assert.equal(stderr, 'template: :1:2: executing "" at <.Foo>: can\'t evaluate field Foo\n');
  });

  test('version prints Client and Server sections', async () => {
    const { code, stdout } = await cli('version');
    assert.equal(code, 0);
    assert.match(stdout, new RegExp(`^Client:\\n Version: +${agentVersion}\\n`));
    assert.match(stdout, new RegExp(`\\nServer:\\n Engine:\\n  Version: +${agentVersion}\\n`));
    const formatted = await cli('version', '--format', '{{.Server.Version}} {{.Client.Version}}');
    assert.equal(formatted.stdout, `${agentVersion} ${agentVersion}\n`);
  });

  test('token create / ls / rm', async () => {
    const created = await cli('token', 'create', 'deploy-bot');
    assert.equal(created.code, 0, created.stderr);
    assert.match(created.stdout, /^sdt_[A-Za-z0-9_-]{43}\n$/);
    assert.match(created.stderr, /cannot be shown again/);

    const listed = await cli('token', 'ls');
    assert.match(
      listed.stdout,
      /^TOKEN ID +NAME +CREATED\n[0-9a-f]{12} +deploy-bot +(Less than a second|\d+ seconds?) ago\n$/,
    );
    assert.ok(!listed.stdout.includes(created.stdout.trim()));
    const ids = (await cli('token', 'ls', '-q')).stdout.trim().split('\n');
    assert.equal(ids.length, 1);

    const removed = await cli('token', 'rm', 'deploy-bot', 'no-such-token');
    assert.equal(removed.code, 1);
    assert.equal(removed.stdout, 'deploy-bot\n');
    assert.equal(removed.stderr, 'Error response from daemon: no such token: no-such-token\n');
    assert.equal((await cli('token', 'ls', '-q')).stdout, '');
  });

  test('usage errors exit with a pointer to --help: 125 for a flag, 1 for arguments (as Docker)', async () => {
    const extra = await cli('info', 'extra');
    assert.equal(extra.code, 1);
    assert.match(extra.stderr, /^"stevedore info" accepts no arguments\.\nSee 'stevedore info --help'\./);
    const flag = await cli('info', '--bogus');
    assert.equal(flag.code, 125);
    assert.equal(flag.stderr, "unknown flag: --bogus\nSee 'stevedore info --help'.\n");
    const missing = await cli('token', 'create');
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /requires exactly 1 argument/);
    const unknown = await cli('frobnicate');
    assert.equal(unknown.code, 1);
    assert.equal(
      unknown.stderr,
      "stevedore: 'frobnicate' is not a stevedore command.\nSee 'stevedore --help'.\n",
    );
  });
});

test('the CLI says it cannot connect when no agent listens', async () => {
  const host = `unix:///tmp/stevedore-no-agent-${process.pid}/agent.sock`;
  const { code, stdout, stderr } = await runCli(['-H', host, 'info']);
  assert.equal(code, 1);
  assert.equal(stdout, '');
  assert.equal(stderr, `Cannot connect to the Stevedore agent at ${host}. Is the agent running?\n`);
  const viaEnv = await runCli(['version'], { STEVEDORE_HOST: host });
  assert.equal(viaEnv.code, 1);
  assert.match(viaEnv.stdout, /^Client:\n/);
  assert.equal(viaEnv.stderr, `Cannot connect to the Stevedore agent at ${host}. Is the agent running?\n`);
});
