import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AgentClient } from '@stevedore/agent-api';
import type { HostStatus } from '@stevedore/shared';
import pino from 'pino';
import { AgentHub, type ConnectAgent } from './agent-hub';
import { heartbeatDecision, livenessDecision } from './liveness';

/** A fake transport: records connections; the test opens them by hand. */
function fakeConnect() {
  const made: Array<{ hostId: string; open(): void; closed: boolean }> = [];
  const connect: ConnectAgent = (target, events) => {
    const record = { hostId: target.hostId, open: () => events.onOpen(), closed: false };
    made.push(record);
    const client = {
      system: { ping: { query: async () => ({}) } },
      containers: { list: { query: async () => [] } },
    } as unknown as AgentClient;
    return {
      client,
      close: async () => {
        record.closed = true;
      },
    };
  };
  return { connect, made };
}

const target = { hostId: 'h1', name: 'one', address: 'unix:///nowhere.sock' };

test('with followOnAdd false a host is only registered: no connection, the state others report', () => {
  const { connect, made } = fakeConnect();
  const hub = new AgentHub(connect, pino({ level: 'silent' }), { followOnAdd: false });
  const seen: HostStatus[] = [];
  const followed: HostStatus[] = [];
  hub.onStatus((status) => seen.push(status));
  hub.onFollowedStatus((status) => followed.push(status));
  hub.add(target);
  assert.equal(made.length, 0, 'no connection until a call or a lease');
  assert.equal(hub.status('h1').state, 'connecting');
  hub.applyRemoteStatus({ hostId: 'h1', state: 'online', lastError: null, lastSeen: null });
  assert.equal(hub.status('h1').state, 'online');
  assert.equal(seen.at(-1)?.state, 'online', 'a remote state reaches local listeners');
  assert.equal(followed.length, 0, 'a remote state is not reported as ours');
});

test('follow connects and reports; unfollow keeps the connection for calls; a re-added host stays followed', async () => {
  const { connect, made } = fakeConnect();
  const hub = new AgentHub(connect, pino({ level: 'silent' }), { followOnAdd: false });
  const followed: HostStatus[] = [];
  hub.onFollowedStatus((status) => followed.push(status));
  hub.add(target);
  hub.follow('h1');
  assert.equal(made.length, 1);
  made[0]?.open();
  assert.equal(hub.status('h1').state, 'online');
  assert.deepEqual(
    followed.map((status) => status.state),
    ['connecting', 'online'],
  );
  hub.applyRemoteStatus({ hostId: 'h1', state: 'offline', lastError: 'elsewhere', lastSeen: null });
  assert.equal(hub.status('h1').state, 'online', 'while followed here, our own state wins');

  hub.unfollow('h1');
  assert.equal(hub.isFollowed('h1'), false);
  assert.equal(made[0]?.closed, false, 'the connection stays for calls');
  assert.deepEqual(await hub.call('h1', (client) => client.containers.list.query({ all: true })), []);
  assert.equal(made.length, 1, 'the call used the same connection');

  hub.follow('h1');
  hub.add({ ...target, name: 'renamed' });
  assert.equal(hub.isFollowed('h1'), true, 'an edited host stays followed');
  await hub.close();
});

test('a call to a host nobody here follows fails with UNAVAILABLE when its connection never opens', async () => {
  const { connect } = fakeConnect();
  const hub = new AgentHub(connect, pino({ level: 'silent' }), { followOnAdd: false });
  hub.add(target);
  const started = hub.call('h1', async () => 'never');
  await hub.remove('h1'); // wakes the waiting call at once
  await assert.rejects(started, /unreachable/);
});

test('liveness: a host heard from within the interval needs no ping; a silent one is pinged once at a time', () => {
  const at = (sinceHeardMs: number, pinging = false) =>
    livenessDecision({ nowMs: 100_000, lastHeardMs: 100_000 - sinceHeardMs, pingIntervalMs: 5_000, pinging });
  assert.equal(at(0), 'alive');
  assert.equal(at(4_999), 'alive', 'an event or a heartbeat within the interval is enough');
  assert.equal(at(5_000), 'ping', 'silent for a whole interval');
  assert.equal(at(60_000, true), 'wait', 'a ping already on its way is not doubled');
  assert.equal(at(1_000, true), 'alive');
});

test('heartbeats: sent after a quiet half interval, answered by anything heard, dropped when unanswered', () => {
  const at = (nowMs: number, lastHeardMs: number, heartbeatAtMs = 0) =>
    heartbeatDecision({ nowMs, lastHeardMs, heartbeatAtMs, heartbeatMs: 2_500 });
  assert.equal(at(10_000, 8_000), 'none', 'heard from 2 s ago');
  assert.equal(at(10_000, 7_500), 'send', 'quiet for 2.5 s');
  assert.equal(at(11_000, 7_500, 10_000), 'none', 'its heartbeat is on its way');
  assert.equal(at(12_500, 7_500, 10_000), 'drop', 'unanswered for 2.5 s');
  assert.equal(at(12_500, 10_050, 10_000), 'none', 'answered 50 ms after it was sent');
});

test('the hub pings a followed host only when it has been silent for the interval', async () => {
  let pings = 0;
  let onActivity: (() => void) | undefined;
  const connect: ConnectAgent = (_target, events) => {
    onActivity = events.onActivity;
    queueMicrotask(() => events.onOpen());
    const client = {
      system: {
        ping: {
          query: async () => {
            pings++;
            return {};
          },
        },
      },
    } as unknown as AgentClient;
    return { client, close: async () => {} };
  };
  const hub = new AgentHub(connect, pino({ level: 'silent' }), { pingIntervalMs: 2_000 });
  hub.add(target);
  await new Promise((r) => setTimeout(r, 10));
  assert.equal(hub.status('h1').state, 'online');
  // Heard from every 50 ms (an event stream): no ping in a second (the interval is 2 s).
  const chatter = setInterval(() => onActivity?.(), 50);
  await new Promise((r) => setTimeout(r, 1_000));
  clearInterval(chatter);
  assert.equal(pings, 0, 'no ping while messages arrive');
  // Silent: pinged once the interval has passed.
  const deadline = Date.now() + 10_000;
  while (pings === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  assert.ok(pings >= 1, 'a silent host is pinged');
  assert.equal(hub.status('h1').state, 'online');
  await hub.close();
});

test("an online host's lastSeen is when it was last heard from; going offline keeps that time", async () => {
  let events: Parameters<ConnectAgent>[1] | undefined;
  const connect: ConnectAgent = (_target, given) => {
    events = given;
    return { client: {} as AgentClient, close: async () => {} };
  };
  const hub = new AgentHub(connect, pino({ level: 'silent' }));
  const changes: HostStatus[] = [];
  hub.onStatus((status) => changes.push(status));
  hub.add(target);
  assert.equal(hub.status('h1').lastSeen, null, 'never heard from');
  events?.onOpen();
  const opened = Date.parse(hub.status('h1').lastSeen ?? '');
  assert.ok(Math.abs(opened - Date.now()) < 1_000);
  await new Promise((r) => setTimeout(r, 20));
  events?.onActivity?.();
  const heard = Date.parse(hub.status('h1').lastSeen ?? '');
  assert.ok(heard > opened, 'a message moves lastSeen on');
  await new Promise((r) => setTimeout(r, 20));
  events?.onClose(new Error('gone'));
  assert.equal(hub.status('h1').state, 'offline');
  assert.equal(Date.parse(hub.status('h1').lastSeen ?? ''), heard, 'offline: the last time it was heard');
  assert.deepEqual(
    changes.map((status) => status.state),
    ['connecting', 'online', 'offline'],
  );
  await hub.close();
});

test('a quiet connection gets heartbeats from the hub; one left unanswered is dropped', async () => {
  let events: Parameters<ConnectAgent>[1] | undefined;
  let answer = true;
  const sent: number[] = [];
  let drops = 0;
  const connect: ConnectAgent = (_target, given) => {
    events = given;
    return {
      client: {} as AgentClient,
      heartbeat: () => {
        sent.push(Date.now());
        if (answer) queueMicrotask(() => events?.onActivity?.());
        return true;
      },
      drop: () => {
        drops++;
      },
      close: async () => {},
    };
  };
  // Heartbeats after 500 ms of quiet, looked at every 200 ms.
  const hub = new AgentHub(connect, pino({ level: 'silent' }), { pingIntervalMs: 1_000 });
  hub.add(target);
  assert.equal(sent.length, 0, 'nothing before the connection opens');
  events?.onOpen();
  // Heard from every 50 ms: no heartbeat.
  const chatter = setInterval(() => events?.onActivity?.(), 50);
  await new Promise((r) => setTimeout(r, 1_200));
  clearInterval(chatter);
  assert.equal(sent.length, 0, 'no heartbeat while messages arrive');
  // Quiet, answering: a heartbeat each 500–700 ms, never a drop, and the host stays online.
  await new Promise((r) => setTimeout(r, 2_000));
  assert.ok(sent.length >= 2 && sent.length <= 4, `${sent.length} heartbeats in two quiet seconds`);
  assert.equal(drops, 0);
  assert.equal(hub.status('h1').state, 'online');
  // No answer any more: the connection is dropped once a heartbeat has waited 500 ms.
  answer = false;
  const before = sent.length;
  const deadline = Date.now() + 3_000;
  while (drops === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  assert.equal(drops, 1, 'the unanswered connection is dropped');
  assert.equal(sent.length, before + 1, 'one unanswered heartbeat, then the drop');
  await hub.close();
});
