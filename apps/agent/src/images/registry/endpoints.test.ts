import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { endpointsFor, isInsecureRegistry } from './endpoints.js';

test('loopback, listed host:port and hosts inside listed CIDRs are insecure; others are not', () => {
  assert.equal(isInsecureRegistry('127.0.0.1:5000', []), true);
  assert.equal(isInsecureRegistry('localhost:5000', []), true);
  assert.equal(isInsecureRegistry('10.0.0.5:5000', []), false);
  assert.equal(isInsecureRegistry('10.0.0.5:5000', ['10.0.0.0/8']), true);
  assert.equal(isInsecureRegistry('10.0.0.5:5000', ['10.0.0.0/30']), false);
  assert.equal(isInsecureRegistry('registry.lan:5000', ['registry.lan:5000']), true);
  assert.equal(isInsecureRegistry('registry.lan:5001', ['registry.lan:5000']), false);
});

test('docker.io goes to its mirrors in order, then to registry-1.docker.io', () => {
  const config = {
    registryMirrors: ['https://m1.example/', 'http://127.0.0.1:5001'],
    insecureRegistries: [],
    certsDir: null,
  };
  assert.deepEqual(endpointsFor('docker.io', config), [
    { url: 'https://m1.example', mirror: true },
    { url: 'http://127.0.0.1:5001', mirror: true },
    { url: 'https://registry-1.docker.io', mirror: false },
  ]);
  assert.deepEqual(endpointsFor('127.0.0.1:5000', config), [{ url: 'http://127.0.0.1:5000', mirror: false }]);
  assert.deepEqual(endpointsFor('ghcr.io', config), [{ url: 'https://ghcr.io', mirror: false }]);
});

test('certs.d: hosts.toml mirrors for any registry (in file order, pull capability only), server and CA files', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'certs-d-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'ghcr.io'));
  writeFileSync(join(dir, 'ghcr.io', 'mirror-ca.pem'), 'MIRROR-CA');
  writeFileSync(join(dir, 'ghcr.io', 'ca.crt'), 'UPSTREAM-CA');
  writeFileSync(
    join(dir, 'ghcr.io', 'hosts.toml'),
    [
      'server = "https://ghcr.io"',
      '[host."https://mirror-b.example/v2"]',
      '  capabilities = ["pull", "resolve"]',
      '  ca = "mirror-ca.pem"',
      '[host."http://push-only.example"]',
      '  capabilities = ["push"]',
      '[host."http://mirror-a.example:5000"]',
      '  skip_verify = true',
    ].join('\n'),
  );
  const config = { registryMirrors: ['https://hub-mirror.example'], insecureRegistries: [], certsDir: dir };
  assert.deepEqual(endpointsFor('ghcr.io', config), [
    { url: 'https://mirror-b.example', mirror: true, tls: { ca: 'MIRROR-CA' } },
    { url: 'http://mirror-a.example:5000', mirror: true, tls: { skipVerify: true } },
    { url: 'https://ghcr.io', mirror: false, tls: { ca: 'UPSTREAM-CA' } },
  ]);
  writeFileSync(join(dir, 'ghcr.io', 'hosts.toml'), '[host."ftp://nope"]');
  assert.throws(
    () => endpointsFor('ghcr.io', config),
    /hosts\.toml: host."ftp:\/\/nope" must be an http:\/\/ or https:\/\/ URL/,
  );
  writeFileSync(join(dir, 'ghcr.io', 'hosts.toml'), 'server = [');
  assert.throws(() => endpointsFor('ghcr.io', config), /hosts\.toml: /);
});
