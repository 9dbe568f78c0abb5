import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatHostAddress, isLoopbackHost, parseHostAddress } from './host-address.js';

test('parses unix and tcp addresses', () => {
  assert.deepEqual(parseHostAddress('unix:///run/sd.sock'), { kind: 'unix', path: '/run/sd.sock' });
  assert.deepEqual(parseHostAddress('tcp://127.0.0.1:2375'), { kind: 'tcp', host: '127.0.0.1', port: 2375 });
  assert.deepEqual(parseHostAddress('tcp://[::1]:0'), { kind: 'tcp', host: '::1', port: 0 });
  assert.equal(formatHostAddress({ kind: 'tcp', host: '::1', port: 5 }), 'tcp://[::1]:5');
  assert.throws(() => parseHostAddress('unix://relative'), /absolute/);
  assert.throws(() => parseHostAddress('tcp://127.0.0.1'), /tcp:\/\/ip:port/);
  assert.throws(() => parseHostAddress('tcp://h.example:1'), /not an IP address/);
});

test('loopback detection', () => {
  assert.ok(isLoopbackHost('127.0.0.1'));
  assert.ok(isLoopbackHost('127.8.9.10'));
  assert.ok(isLoopbackHost('::1'));
  assert.ok(isLoopbackHost('localhost'));
  assert.ok(!isLoopbackHost('0.0.0.0'));
  assert.ok(!isLoopbackHost('10.0.0.1'));
});
