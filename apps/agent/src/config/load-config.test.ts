import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { AgentConfig } from './agent-config.js';
import { ConfigError, loadAgentConfig } from './load-config.js';

type ReadConfigFile = (path: string) => Promise<string | null>;
const noFile: ReadConfigFile = async () => null;
const withFile =
  (contents: unknown): ReadConfigFile =>
  async () =>
    typeof contents === 'string' ? contents : JSON.stringify(contents);

async function load(argv: string[], readConfigFile = noFile): Promise<AgentConfig> {
  const result = await loadAgentConfig(argv, { readConfigFile });
  assert.equal(result.action, 'run');
  return (result as { config: AgentConfig }).config;
}

async function refused(argv: string[], readConfigFile = noFile): Promise<string> {
  try {
    await loadAgentConfig(argv, { readConfigFile });
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    return error.message;
  }
  assert.fail('the configuration was accepted');
}

describe('defaults', () => {
  test('match dockerd-style defaults for Stevedore', async () => {
    const config = await load([]);
    assert.equal(config.dataRoot, '/var/lib/stevedore');
    assert.equal(config.execRoot, '/run/stevedore');
    assert.deepEqual(config.hosts, ['unix:///run/stevedore/agent.sock']);
    assert.equal(config.iptables, true);
    assert.equal(config.liveRestore, false);
    assert.equal(config.defaultRuntime, 'runc');
    assert.equal(config.authTokensFile, '/var/lib/stevedore/auth/tokens.json');
    assert.equal(config.configFile, null);
  });
});

describe('flags', () => {
  test('set the typed config', async () => {
    const config = await load([
      '--data-root',
      '/srv/sd',
      '--exec-root=/run/sd',
      '-H',
      'unix:///run/sd/a.sock',
      '-H',
      'tcp://127.0.0.1:2375',
      '--bridge',
      'sd1',
      '--bip',
      '10.99.0.1/24',
      '--registry-mirror',
      'https://m.example',
      '--insecure-registry',
      'r.example:5000',
      '--iptables=false',
      '--live-restore',
      '--log-level',
      'debug',
    ]);
    assert.equal(config.dataRoot, '/srv/sd');
    assert.equal(config.execRoot, '/run/sd');
    assert.deepEqual(config.hosts, ['unix:///run/sd/a.sock', 'tcp://127.0.0.1:2375']);
    assert.equal(config.bridge, 'sd1');
    assert.equal(config.bip, '10.99.0.1/24');
    assert.deepEqual(
      config.registryMirrors,
      ['https://m.example/'],
      'mirrors get a trailing slash like Docker',
    );
    assert.deepEqual(config.insecureRegistries, ['r.example:5000']);
    assert.equal(config.iptables, false);
    assert.equal(config.liveRestore, true);
    assert.equal(config.logLevel, 'debug');
    assert.equal(config.authTokensFile, '/srv/sd/auth/tokens.json');
  });

  test('bad values name the flag and what is allowed', async () => {
    assert.match(
      await refused(['--bip', 'nope']),
      /^invalid argument "nope" for "--bip" flag: must be an IPv4 CIDR/,
    );
    assert.match(await refused(['--bip', '10.0.0.300/8']), /"--bip" flag: .*each address part 0-255/);
    assert.match(await refused(['--bip', '10.0.0.1/31']), /prefix length 1-30/);
    assert.match(await refused(['--data-root', 'relative']), /"--data-root" flag: must be an absolute path/);
    assert.match(
      await refused(['-H', 'http://x']),
      /^invalid argument "http:\/\/x" for "--host" flag: must be unix/,
    );
    assert.match(await refused(['-H', 'tcp://127.0.0.1:70000']), /port must be 0-65535/);
    assert.match(await refused(['-H', 'tcp://example.com:1']), /is not an IP address/);
    assert.match(
      await refused(['--bridge', 'a-very-long-bridge-name']),
      /"--bridge" flag: must be a Linux interface name/,
    );
    assert.match(
      await refused(['--registry-mirror', 'not a url']),
      /"--registry-mirror" flag: must be a URL/,
    );
    assert.match(await refused(['--default-runtime', 'kata']), /"--default-runtime" flag/);
    assert.match(await refused(['--log-level', 'loud']), /must be one of debug, info, warn, error, fatal/);
  });

  test('usage errors point to --help; arguments are refused', async () => {
    assert.equal(await refused(['--nope']), "unknown flag: --nope\nSee 'stevedore-agent --help'.");
    assert.match(await refused(['extra']), /accepts no arguments/);
  });

  test('--help and --version short-circuit', async () => {
    assert.deepEqual(await loadAgentConfig(['--help', '--bip', 'bad']), { action: 'help' });
    assert.deepEqual(await loadAgentConfig(['-v']), { action: 'version' });
  });

  test('TCP off loopback needs TLS; cert and key go together', async () => {
    assert.match(
      await refused(['-H', 'tcp://0.0.0.0:2375']),
      /refusing to listen on tcp:\/\/0\.0\.0\.0:2375 without TLS/,
    );
    const tls = await load(['-H', 'tcp://0.0.0.0:2376', '--tlscert', '/c.pem', '--tlskey', '/k.pem']);
    assert.equal(tls.tlsCert, '/c.pem');
    assert.match(await refused(['--tlscert', '/c.pem']), /--tlscert and --tlskey must be given together/);
    assert.deepEqual((await load(['-H', 'tcp://[::1]:2375'])).hosts, ['tcp://[::1]:2375']);
  });
});

describe('config file', () => {
  test('is read from --config-file and merged with flags', async () => {
    const config = await load(
      ['--config-file', '/etc/sd.json', '--bridge', 'sd9'],
      withFile({
        'data-root': '/data',
        'registry-mirrors': ['https://mirror.local/'],
        'live-restore': true,
        iptables: false,
      }),
    );
    assert.equal(config.configFile, '/etc/sd.json');
    assert.equal(config.dataRoot, '/data');
    assert.equal(config.bridge, 'sd9');
    assert.deepEqual(config.registryMirrors, ['https://mirror.local/']);
    assert.equal(config.liveRestore, true);
    assert.equal(config.iptables, false);
  });

  test('the default file is optional, an explicit one is not', async () => {
    assert.equal((await load([])).configFile, null);
    assert.match(
      await refused(['--config-file', '/missing.json']),
      /open \/missing\.json: no such file or directory/,
    );
  });

  test('unknown keys are named', async () => {
    const message = await refused(
      ['--config-file', '/f.json'],
      withFile({ 'data-root': '/d', 'log-driver': 'x' }),
    );
    assert.match(message, /^unable to configure the Stevedore agent with file \/f\.json: /);
    assert.match(message, /the following directives don't match any configuration option: log-driver/);
  });

  test('invalid values name the key', async () => {
    assert.match(
      await refused(['--config-file', '/f.json'], withFile({ bip: '1.2.3.4' })),
      /invalid value for "bip": must be an IPv4 CIDR/,
    );
    assert.match(
      await refused(['--config-file', '/f.json'], withFile({ iptables: 'no' })),
      /invalid value for "iptables"/,
    );
    assert.match(
      await refused(['--config-file', '/f.json'], withFile({ 'registry-mirrors': ['https://ok/', 'bad'] })),
      /invalid value for "registry-mirrors\[1\]"/,
    );
    assert.match(
      await refused(['--config-file', '/f.json'], withFile({ bip: '999.0.0.1/8' })),
      /invalid value "999\.0\.0\.1\/8" for "bip"/,
    );
  });

  test('broken JSON and non-objects are refused', async () => {
    assert.match(await refused(['--config-file', '/f.json'], withFile('{"bip":')), /invalid JSON/);
    assert.match(await refused(['--config-file', '/f.json'], withFile([1])), /must hold a JSON object/);
  });

  test('a setting both in the file and as a flag is a conflict, like dockerd', async () => {
    const message = await refused(
      ['--config-file', '/f.json', '--data-root', '/flag', '-H', 'unix:///a.sock'],
      withFile({ 'data-root': '/file', hosts: ['unix:///b.sock'] }),
    );
    assert.match(message, /specified both as a flag and in the configuration file: /);
    assert.match(message, /data-root: \(from flag: \/flag, from file: \/file\)/);
    assert.match(
      message,
      /hosts: \(from flag: \["unix:\/\/\/a\.sock"\], from file: \["unix:\/\/\/b\.sock"\]\)/,
    );
  });

  test('auth-tokens-file from the file overrides the default location', async () => {
    const config = await load(
      ['--config-file', '/f.json'],
      withFile({ 'auth-tokens-file': '/secrets/tokens.json' }),
    );
    assert.equal(config.authTokensFile, '/secrets/tokens.json');
  });
});
