import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HostConfigSchema } from '@stevedore/shared';
import { limitRows, portRows, publishedHost, shellWords } from './overview-format.js';
import { looksSecret } from './overview-secrets.js';

test('argv reads as a shell line; words with spaces or quotes are quoted', () => {
  assert.equal(shellWords(['sh', '-c', "echo 'hi' there"]), `sh -c 'echo '\\''hi'\\'' there'`);
  assert.equal(shellWords(['sleep', '3600']), 'sleep 3600');
  assert.equal(shellWords(null), '');
});

test('published ports link to the bind address, else to the agent host, else to the dashboard host', () => {
  assert.equal(publishedHost('127.0.0.1', 'https://edge.example:2376', 'dash'), '127.0.0.1');
  assert.equal(publishedHost('0.0.0.0', 'https://edge.example:2376', 'dash'), 'edge.example');
  assert.equal(publishedHost('', 'unix:///run/stevedore.sock', 'dash'), 'dash');
  assert.equal(publishedHost('::1', undefined, 'dash'), '[::1]');
});

test('port rows: one per binding, exposed-only ports without a host port, sorted by port', () => {
  assert.deepEqual(
    portRows({
      '443/tcp': [{ HostIp: '0.0.0.0', HostPort: '8443' }],
      '80/tcp': null,
      '53/udp': [
        { HostIp: '127.0.0.1', HostPort: '5353' },
        { HostIp: '::1', HostPort: '5353' },
      ],
    }),
    [
      { containerPort: '53', protocol: 'udp', hostIp: '127.0.0.1', hostPort: '5353' },
      { containerPort: '53', protocol: 'udp', hostIp: '::1', hostPort: '5353' },
      { containerPort: '80', protocol: 'tcp', hostIp: null, hostPort: null },
      { containerPort: '443', protocol: 'tcp', hostIp: '0.0.0.0', hostPort: '8443' },
    ],
  );
});

test('limits in binary units, only those that are set', () => {
  assert.deepEqual(limitRows(HostConfigSchema.parse({})), []);
  const limited = HostConfigSchema.parse({
    Memory: 512 * 1024 * 1024,
    MemorySwap: -1,
    NanoCpus: 1_500_000_000,
    PidsLimit: 100,
  });
  assert.deepEqual(limitRows(limited), [
    ['Memory', '512MiB'],
    ['Memory + swap', 'unlimited swap'],
    ['CPUs', '1.5'],
    ['PIDs', '100'],
  ]);
});

test('secret-looking variable names are masked, ordinary ones are not', () => {
  for (const key of ['API_TOKEN', 'DB_PASSWORD', 'AWS_SECRET_ACCESS_KEY', 'SESSION_COOKIE', 'SENTRY_DSN']) {
    assert.ok(looksSecret(key), key);
  }
  for (const key of ['PATH', 'HOME', 'GREETING', 'NODE_ENV', 'TZ']) assert.ok(!looksSecret(key), key);
});
