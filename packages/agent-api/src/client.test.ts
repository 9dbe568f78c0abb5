import assert from 'node:assert/strict';
import { test } from 'node:test';
import { agentWebSocketUrl } from './client.js';

test('client addresses map to websocket URLs', () => {
  assert.equal(agentWebSocketUrl('unix:///run/sd/agent.sock'), 'ws+unix:///run/sd/agent.sock:/');
  assert.equal(agentWebSocketUrl('tcp://127.0.0.1:2375'), 'ws://127.0.0.1:2375/');
  assert.equal(agentWebSocketUrl('tcp://127.0.0.1:2376', true), 'wss://127.0.0.1:2376/');
  assert.equal(agentWebSocketUrl('https://agent.example:2376'), 'wss://agent.example:2376/');
  assert.equal(agentWebSocketUrl('http://127.0.0.1:1/'), 'ws://127.0.0.1:1/');
  assert.equal(agentWebSocketUrl('wss://h:1'), 'wss://h:1/');
  assert.throws(() => agentWebSocketUrl('ftp://h:1'), /invalid agent address/);
});
