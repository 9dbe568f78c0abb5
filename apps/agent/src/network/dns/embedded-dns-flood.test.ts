/**
 * Issue 16, bounded resources: a client that floods a network's DNS server fills its own share of
 * queries in flight; another client on the network still gets its answers, and the server's
 * sockets (file descriptors) do not grow with the query rate. Real UDP on 127.0.0.x addresses.
 */
import assert from 'node:assert/strict';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { once } from 'node:events';
import { readdirSync } from 'node:fs';
import { test } from 'node:test';
import dnsPacket from 'dns-packet';
import { EmbeddedDns } from './embedded-dns.js';

const SERVER = '127.0.0.81';
const UPSTREAM = '127.0.0.82';
const FLOODER = '127.0.0.83';
const NEIGHBOUR = '127.0.0.84';
const FLOOD_QUERIES = 3000;
const PER_CLIENT_CAP = 32;

const openFds = () => readdirSync('/proc/self/fd').length;

async function bound(address: string, port = 0): Promise<UdpSocket> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(port, address, resolve));
  return socket;
}

function query(name: string, id: number): Buffer {
  return dnsPacket.encode({
    id,
    type: 'query',
    flags: dnsPacket.RECURSION_DESIRED,
    questions: [{ type: 'A', name }],
  });
}

test('a flood from one client leaves the others answered and the fd count flat', {
  timeout: 60_000,
}, async (t) => {
  // An upstream that answers the neighbour at once and holds the flood's answers for the test's
  // length: the flooder's queries stay in flight, as with a slow or unreachable resolver.
  const upstream = await bound(UPSTREAM);
  const receivedFrom = { flood: 0, neighbour: 0 };
  upstream.on('message', (message, remote) => {
    const packet = dnsPacket.decode(message);
    const name = packet.questions?.[0]?.name ?? '';
    if (name.startsWith('flood')) receivedFrom.flood++;
    else receivedFrom.neighbour++;
    const answer = dnsPacket.encode({
      id: packet.id,
      type: 'response',
      questions: packet.questions,
      answers: [{ type: 'A', name, ttl: 5, data: '10.9.9.9' }],
    });
    if (!name.startsWith('flood')) upstream.send(answer, remote.port, remote.address);
  });
  const probe = await bound(SERVER);
  const port = probe.address().port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  const server = new EmbeddedDns({
    address: SERVER,
    port,
    lookup: () => [],
    upstreams: () => [`${UPSTREAM}:${upstream.address().port}`],
    upstreamTimeoutMs: 5_000,
    maxInFlightPerClient: PER_CLIENT_CAP,
  });
  await server.start();
  const flooder = await bound(FLOODER);
  const neighbour = await bound(NEIGHBOUR);
  t.after(async () => {
    await server.stop();
    for (const socket of [upstream, flooder, neighbour]) socket.close();
  });
  let floodAnswers = 0;
  flooder.on('message', () => floodAnswers++);

  const fdsBefore = openFds();
  let fdsPeak = fdsBefore;
  const sampler = setInterval(() => {
    fdsPeak = Math.max(fdsPeak, openFds());
  }, 5);
  try {
    for (let i = 0; i < FLOOD_QUERIES; i++) {
      flooder.send(query(`flood${i}.example.test`, i & 0xffff), port, SERVER);
      // Yield now and then so the server reads while the flood goes on.
      if (i % 100 === 99) await new Promise((resolve) => setImmediate(resolve));
    }
    fdsPeak = Math.max(fdsPeak, openFds());
    const asked = Date.now();
    // As a stub resolver does: ask again when no answer came (a flood may fill the server's socket buffer).
    const resend = () => neighbour.send(query('neighbour.example.test', 7), port, SERVER);
    resend();
    const retry = setInterval(resend, 500);
    const [reply] = (await Promise.race([
      once(neighbour, 'message'),
      new Promise((_, reject) => setTimeout(() => reject(new Error('the neighbour got no answer')), 5_000)),
    ]).finally(() => clearInterval(retry))) as [Buffer];
    const answer = dnsPacket.decode(reply);
    assert.equal(answer.id, 7);
    assert.deepEqual(
      (answer.answers ?? []).map((a) => (a.type === 'A' ? a.data : a.type)),
      ['10.9.9.9'],
    );
    // The neighbour did not wait for the flood ahead of it (the stub's own retry at most).
    assert.ok(Date.now() - asked < 1_500, `answered after ${Date.now() - asked} ms`);
  } finally {
    clearInterval(sampler);
  }
  // The upstream saw the flooder's share and no more: the rest was dropped at the server.
  assert.ok(receivedFrom.flood <= PER_CLIENT_CAP, `the upstream got ${receivedFrom.flood} flood queries`);
  assert.ok(receivedFrom.neighbour >= 1);
  assert.ok(fdsPeak - fdsBefore <= 4, `open fds went from ${fdsBefore} to ${fdsPeak} during the flood`);
  assert.equal(server.upstreamSocketCount, 1, 'one socket for the one upstream');
  // The flooder's own answers are the ones that suffer.
  assert.equal(floodAnswers, 0);
});
