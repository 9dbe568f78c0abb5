import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { runAgentToExit } from './harness/agent-process.js';

describe('agent refuses bad configuration with exit 1 and a clear message', () => {
  const dir = mkdtempSync('/tmp/stevedore-config-');
  after(() => rmSync(dir, { recursive: true, force: true }));
  const roots = [
    '--data-root',
    join(dir, 'data'),
    '--exec-root',
    join(dir, 'exec'),
    '-H',
    `unix://${join(dir, 'a.sock')}`,
  ];
  const noStack = (stderr: string) => assert.doesNotMatch(stderr, /\n\s+at /, 'no stack trace');

  test('an unknown key in the config file is named', async () => {
    const file = join(dir, 'unknown-key.json');
    writeFileSync(file, JSON.stringify({ 'data-root': '/tmp/x', 'registry-mirror': ['https://m'] }));
    const result = await runAgentToExit([...roots.slice(2), '--config-file', file]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /don't match any configuration option: registry-mirror/);
    assert.match(result.stderr, new RegExp(file));
    noStack(result.stderr);
  });

  test('an invalid value in the config file names the key and what is allowed', async () => {
    const file = join(dir, 'bad-bip.json');
    writeFileSync(file, JSON.stringify({ bip: '10.0.0.1' }));
    const result = await runAgentToExit([...roots, '--config-file', file]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /invalid value for "bip": must be an IPv4 CIDR such as 172\.17\.0\.1\/16/);
    noStack(result.stderr);
  });

  test('an invalid --bip is refused naming the flag', async () => {
    for (const bip of ['not-a-cidr', '300.1.1.1/16']) {
      const result = await runAgentToExit([...roots, '--bip', bip]);
      assert.equal(result.code, 1);
      assert.match(
        result.stderr,
        new RegExp(`^invalid argument "${bip}" for "--bip" flag: must be an IPv4 CIDR`),
      );
      noStack(result.stderr);
    }
  });

  test('a setting given as a flag and in the file is a conflict', async () => {
    const file = join(dir, 'conflict.json');
    writeFileSync(file, JSON.stringify({ bridge: 'br-file' }));
    const result = await runAgentToExit([...roots, '--config-file', file, '--bridge', 'br-flag']);
    assert.equal(result.code, 1);
    assert.match(
      result.stderr,
      /specified both as a flag and in the configuration file: bridge: \(from flag: br-flag, from file: br-file\)/,
    );
  });

  test('plain TCP on a non-loopback address is refused', async () => {
    const result = await runAgentToExit([...roots, '-H', 'tcp://0.0.0.0:0']);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /refusing to listen on tcp:\/\/0\.0\.0\.0:0 without TLS/);
  });

  test('unknown flags and bad booleans are usage errors', async () => {
    const unknown = await runAgentToExit(['--no-such-flag']);
    assert.equal(unknown.code, 1);
    assert.equal(unknown.stderr, "unknown flag: --no-such-flag\nSee 'stevedore-agent --help'.\n");
    const bool = await runAgentToExit([...roots, '--iptables=maybe']);
    assert.equal(bool.code, 1);
    assert.match(bool.stderr, /invalid argument "maybe" for "--iptables" flag: must be true or false/);
  });

  test('--version and --help exit 0', async () => {
    const version = await runAgentToExit(['--version']);
    assert.equal(version.code, 0);
    assert.match(version.stdout, /^Stevedore agent version \d+\.\d+\.\d+, build \S+\n$/);
    const help = await runAgentToExit(['--help']);
    assert.equal(help.code, 0);
    for (const flag of [
      '--config-file',
      '--data-root',
      '--exec-root',
      '-H, --host',
      '--bip',
      '--registry-mirror',
      '--tlscert',
      '--iptables',
    ]) {
      assert.ok(help.stdout.includes(flag), `help mentions ${flag}`);
    }
  });
});
