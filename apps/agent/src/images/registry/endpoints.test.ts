import assert from 'node:assert/strict';
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
  };
  assert.deepEqual(endpointsFor('docker.io', config), [
    { url: 'https://m1.example', mirror: true },
    { url: 'http://127.0.0.1:5001', mirror: true },
    { url: 'https://registry-1.docker.io', mirror: false },
  ]);
  assert.deepEqual(endpointsFor('127.0.0.1:5000', config), [{ url: 'http://127.0.0.1:5000', mirror: false }]);
  assert.deepEqual(endpointsFor('ghcr.io', config), [{ url: 'https://ghcr.io', mirror: false }]);
});
