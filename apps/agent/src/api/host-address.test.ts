import assert from 'node:assert/strict';
import { test } from 'node:test';
import { agentWebSocketUrl } from './client.js';
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

test('client addresses map to websocket URLs', () => {
  assert.equal(agentWebSocketUrl('unix:///run/sd/agent.sock'), 'ws+unix:///run/sd/agent.sock:/');
  assert.equal(agentWebSocketUrl('tcp://127.0.0.1:2375'), 'ws://127.0.0.1:2375/');
  assert.equal(agentWebSocketUrl('tcp://127.0.0.1:2376', true), 'wss://127.0.0.1:2376/');
  assert.equal(agentWebSocketUrl('https://agent.example:2376'), 'wss://agent.example:2376/');
  assert.equal(agentWebSocketUrl('http://127.0.0.1:1/'), 'ws://127.0.0.1:1/');
  assert.equal(agentWebSocketUrl('wss://h:1'), 'wss://h:1/');
  assert.throws(() => agentWebSocketUrl('ftp://h:1'), /invalid agent address/);
});
