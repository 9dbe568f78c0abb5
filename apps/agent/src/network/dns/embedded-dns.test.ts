import assert from 'node:assert/strict';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { once } from 'node:events';
import { createServer, type Server, Socket } from 'node:net';
import { type TestContext, test } from 'node:test';
import dnsPacket from 'dns-packet';
import { EmbeddedDns, type EmbeddedDnsOptions } from './embedded-dns.js';

const SERVER_ADDRESS = '127.0.0.61';
const UPSTREAM_ADDRESS = '127.0.0.62';
const SILENT_ADDRESS = '127.0.0.63';
const MEMBERS: Record<string, string[]> = { web: ['10.1.0.5', '10.1.0.6'], 'db.alias': ['10.1.0.7'] };
const RCODE_NOERROR = 0;
const RCODE_SERVFAIL = 2;
const RCODE_NXDOMAIN = 3;

/** A port free for both UDP and TCP on `address`: bound to port 0 to learn one, then released. */
async function freePort(address: string): Promise<number> {
  const udp = createSocket('udp4');
  await new Promise<void>((resolve) => udp.bind(0, address, resolve));
  const { port } = udp.address();
  const tcp = createServer();
  await new Promise<void>((resolve, reject) => {
    tcp.once('error', reject);
    tcp.listen(port, address, resolve);
  });
  await Promise.all([closeUdp(udp), closeServer(tcp)]);
  return port;
}

function closeUdp(socket: UdpSocket): Promise<void> {
  return new Promise((resolve) => socket.close(() => resolve()));
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

async function startDns(
  t: TestContext,
  options: Partial<EmbeddedDnsOptions> = {},
): Promise<{ address: string; port: number }> {
  const port = options.port ?? (await freePort(SERVER_ADDRESS));
  const server = new EmbeddedDns({
    address: SERVER_ADDRESS,
    port,
    lookup: (name) => MEMBERS[name] ?? [],
    upstreams: () => [],
    upstreamTimeoutMs: 200,
    ...options,
  });
  await server.start();
  t.after(() => server.stop());
  return { address: SERVER_ADDRESS, port };
}

interface FakeUpstream {
  /** "ip:port" as EmbeddedDns expects it. */
  endpoint: string;
  /** Raw queries received over UDP. */
  queries: Buffer[];
}

/** A resolver that answers every A query with 10.9.9.9 over UDP (optionally truncated) and TCP. */
async function startUpstream(
  t: TestContext,
  { truncateUdp = false, address = UPSTREAM_ADDRESS } = {},
): Promise<FakeUpstream> {
  const port = await freePort(address);
  const queries: Buffer[] = [];
  const udp = createSocket('udp4');
  udp.on('message', (message, remote) => {
    queries.push(message);
    udp.send(upstreamAnswer(message, truncateUdp), remote.port, remote.address);
  });
  await new Promise<void>((resolve) => udp.bind(port, address, resolve));
  const tcp = createServer((socket) => {
    socket.on('data', (data) => socket.write(frame(upstreamAnswer(data.subarray(2), false))));
  });
  await new Promise<void>((resolve) => tcp.listen(port, address, resolve));
  t.after(() => Promise.all([closeUdp(udp), closeServer(tcp)]));
  return { endpoint: `${address}:${port}`, queries };
}

function upstreamAnswer(message: Buffer, truncated: boolean): Buffer {
  const query = dnsPacket.decode(message);
  const name = query.questions?.[0]?.name ?? '';
  return dnsPacket.encode({
    id: query.id,
    type: 'response',
    flags: truncated ? dnsPacket.TRUNCATED_RESPONSE : 0,
    questions: query.questions,
    answers: truncated ? [] : [{ type: 'A', name, ttl: 5, data: '10.9.9.9' }],
  });
}

/** A UDP socket that swallows everything: an upstream that never answers. */
async function startSilentUpstream(t: TestContext): Promise<string> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, SILENT_ADDRESS, resolve));
  t.after(() => closeUdp(socket));
  return `${SILENT_ADDRESS}:${socket.address().port}`;
}

function encodeQuery(name: string, type: dnsPacket.RecordType = 'A', id = 4242): Buffer {
  return dnsPacket.encode({
    id,
    type: 'query',
    flags: dnsPacket.RECURSION_DESIRED,
    questions: [{ type, name }],
  });
}

function frame(message: Buffer): Buffer {
  const prefix = Buffer.alloc(2);
  prefix.writeUInt16BE(message.length);
  return Buffer.concat([prefix, message]);
}

async function sendUdp(server: { address: string; port: number }, message: Buffer): Promise<Buffer> {
  const socket = createSocket('udp4');
  try {
    socket.send(message, server.port, server.address);
    const [reply] = (await Promise.race([
      once(socket, 'message'),
      new Promise((_, reject) => setTimeout(() => reject(new Error('no UDP answer')), 3000).unref()),
    ])) as [Buffer];
    return reply;
  } finally {
    socket.close();
  }
}

async function queryUdp(
  server: { address: string; port: number },
  name: string,
  type: dnsPacket.RecordType = 'A',
  id = 4242,
): Promise<dnsPacket.DecodedPacket> {
  return dnsPacket.decode(await sendUdp(server, encodeQuery(name, type, id)));
}

/** Connects over TCP and collects length-prefixed replies until `count` arrived. */
async function openTcp(server: { address: string; port: number }) {
  const socket = new Socket();
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.connect(server.port, server.address, resolve);
  });
  let buffered = Buffer.alloc(0);
  const replies: dnsPacket.DecodedPacket[] = [];
  socket.on('data', (chunk) => {
    buffered = Buffer.concat([buffered, chunk]);
    while (buffered.length >= 2 && buffered.length >= 2 + buffered.readUInt16BE(0)) {
      replies.push(dnsPacket.decode(buffered.subarray(2, 2 + buffered.readUInt16BE(0))));
      buffered = buffered.subarray(2 + buffered.readUInt16BE(0));
      socket.emit('reply');
    }
  });
  const closed = once(socket, 'close');
  return {
    socket,
    closed,
    async replies(count: number): Promise<dnsPacket.DecodedPacket[]> {
      while (replies.length < count) await once(socket, 'reply');
      return replies.slice(0, count);
    },
  };
}

const rcodeOf = (packet: dnsPacket.Packet) => (packet.flags ?? 0) & 0xf;
const addressesOf = (packet: dnsPacket.Packet) =>
  (packet.answers ?? []).map((answer) => (answer.type === 'A' ? answer.data : answer.type));

test('a member name answers A with every address, case-insensitively, with or without trailing dot', async (t) => {
  const server = await startDns(t);

  const answer = await queryUdp(server, 'WEB.', 'A', 777);
  assert.equal(answer.id, 777);
  assert.equal(rcodeOf(answer), RCODE_NOERROR);
  assert.deepEqual(addressesOf(answer), ['10.1.0.5', '10.1.0.6']);
  assert.ok(answer.answers?.every((record) => record.type === 'A' && record.ttl === 600));
  assert.ok(answer.flag_aa, 'authoritative');
  assert.ok(answer.flag_ra, 'recursion available');
  assert.ok(answer.flag_rd, 'recursion desired is echoed');

  assert.deepEqual(addressesOf(await queryUdp(server, 'Db.Alias')), ['10.1.0.7']);
});

test('AAAA or any other type for a member is an empty NOERROR', async (t) => {
  const server = await startDns(t);
  for (const type of ['AAAA', 'MX'] as const) {
    const answer = await queryUdp(server, 'web', type);
    assert.equal(rcodeOf(answer), RCODE_NOERROR, type);
    assert.deepEqual(answer.answers, [], type);
  }
});

test('an unknown single-label name is NXDOMAIN without asking upstream', async (t) => {
  const upstream = await startUpstream(t);
  const server = await startDns(t, { upstreams: () => [upstream.endpoint] });
  assert.equal(rcodeOf(await queryUdp(server, 'nobody')), RCODE_NXDOMAIN);
  assert.equal(upstream.queries.length, 0);
});

test('an unknown dotted name is forwarded unchanged but for its id, and the answer relayed with the client id', async (t) => {
  const upstream = await startUpstream(t);
  const server = await startDns(t, { upstreams: () => [upstream.endpoint] });
  const query = encodeQuery('Example.Test', 'A', 31337);

  const answer = dnsPacket.decode(await sendUdp(server, query));
  assert.equal(answer.id, 31337);
  assert.deepEqual(addressesOf(answer), ['10.9.9.9']);
  assert.equal(upstream.queries.length, 1);
  // The shared upstream socket gives each query an id of its own; the rest goes out as it came.
  assert.deepEqual(upstream.queries[0]?.subarray(2), query.subarray(2));
});

test('a refusing upstream and a silent one are skipped for the next', async (t) => {
  const upstream = await startUpstream(t);
  const refusing = `127.0.0.64:${await freePort('127.0.0.64')}`;
  const silent = await startSilentUpstream(t);
  const server = await startDns(t, { upstreams: () => [refusing, silent, upstream.endpoint] });

  const started = Date.now();
  assert.deepEqual(addressesOf(await queryUdp(server, 'example.test')), ['10.9.9.9']);
  assert.ok(Date.now() - started >= 180, 'waited for the silent upstream to time out');
});

test('SERVFAIL when no upstream is configured or none answers', async (t) => {
  const silent = await startSilentUpstream(t);
  let upstreams: string[] = [];
  const server = await startDns(t, { upstreams: () => upstreams });
  assert.equal(rcodeOf(await queryUdp(server, 'example.test')), RCODE_SERVFAIL);
  upstreams = [silent, 'not-an-address'];
  assert.equal(rcodeOf(await queryUdp(server, 'example.test')), RCODE_SERVFAIL);
});

test('lookup() and upstreams() are read per query', async (t) => {
  const upstream = await startUpstream(t);
  const members: Record<string, string[]> = {};
  let upstreams: string[] = [];
  const server = await startDns(t, { lookup: (name) => members[name] ?? [], upstreams: () => upstreams });

  assert.equal(rcodeOf(await queryUdp(server, 'late')), RCODE_NXDOMAIN);
  members.late = ['10.1.0.9'];
  assert.deepEqual(addressesOf(await queryUdp(server, 'late')), ['10.1.0.9']);

  assert.equal(rcodeOf(await queryUdp(server, 'example.test')), RCODE_SERVFAIL);
  upstreams = [upstream.endpoint];
  assert.deepEqual(addressesOf(await queryUdp(server, 'example.test')), ['10.9.9.9']);
});

test('TCP serves several queries on one connection, split or batched across writes', async (t) => {
  const upstream = await startUpstream(t);
  const server = await startDns(t, { upstreams: () => [upstream.endpoint] });
  const client = await openTcp(server);
  t.after(() => client.socket.destroy());

  const first = frame(encodeQuery('web', 'A', 1));
  client.socket.write(first.subarray(0, 5));
  await new Promise((resolve) => setTimeout(resolve, 20));
  client.socket.write(first.subarray(5));
  client.socket.write(
    Buffer.concat([frame(encodeQuery('example.test', 'A', 2)), frame(encodeQuery('x', 'A', 3))]),
  );

  const replies = await client.replies(3);
  const byId = new Map(replies.map((reply) => [reply.id, reply]));
  assert.deepEqual(addressesOf(byId.get(1)!), ['10.1.0.5', '10.1.0.6']);
  assert.deepEqual(addressesOf(byId.get(2)!), ['10.9.9.9']);
  assert.equal(rcodeOf(byId.get(3)!), RCODE_NXDOMAIN);
});

test('a truncated upstream answer is retried over TCP for a TCP client and relayed as is to a UDP one', async (t) => {
  const upstream = await startUpstream(t, { truncateUdp: true });
  const server = await startDns(t, { upstreams: () => [upstream.endpoint] });

  const overUdp = await queryUdp(server, 'big.test');
  assert.ok(overUdp.flag_tc);
  assert.deepEqual(overUdp.answers, []);

  const client = await openTcp(server);
  t.after(() => client.socket.destroy());
  client.socket.write(frame(encodeQuery('big.test', 'A', 9)));
  const [overTcp] = await client.replies(1);
  assert.equal(overTcp?.id, 9);
  assert.equal(overTcp?.flag_tc, false);
  assert.deepEqual(addressesOf(overTcp!), ['10.9.9.9']);
});

test('a member answer too big for UDP is truncated there and complete over TCP', async (t) => {
  const many = Array.from({ length: 40 }, (_, i) => `10.2.0.${i + 1}`);
  const server = await startDns(t, { lookup: (name) => (name === 'crowd' ? many : []) });

  const overUdp = await queryUdp(server, 'crowd');
  assert.ok(overUdp.flag_tc);
  assert.deepEqual(overUdp.answers, []);

  const client = await openTcp(server);
  t.after(() => client.socket.destroy());
  client.socket.write(frame(encodeQuery('crowd')));
  assert.deepEqual(addressesOf((await client.replies(1))[0]!), many);
});

test('malformed packets are dropped over UDP and close a TCP connection; the server keeps answering', async (t) => {
  const server = await startDns(t);
  const junk = [Buffer.from([1, 2, 3]), Buffer.alloc(40, 0xff), Buffer.alloc(0)];
  const socket = createSocket('udp4');
  t.after(() => socket.close());
  for (const message of junk) socket.send(message, server.port, server.address);
  // A response sent to the server is not a query either.
  socket.send(
    dnsPacket.encode({ id: 5, type: 'response', questions: [{ type: 'A', name: 'web' }] }),
    server.port,
    server.address,
  );

  const client = await openTcp(server);
  client.socket.write(frame(Buffer.from([9, 9, 9])));
  await client.closed;

  assert.deepEqual(addressesOf(await queryUdp(server, 'web')), ['10.1.0.5', '10.1.0.6']);
  const next = await openTcp(server);
  t.after(() => next.socket.destroy());
  next.socket.write(frame(encodeQuery('web')));
  assert.deepEqual(addressesOf((await next.replies(1))[0]!), ['10.1.0.5', '10.1.0.6']);
});

test('start() on an address:port in use rejects naming the address; the first server keeps working', async (t) => {
  const server = await startDns(t);
  const second = new EmbeddedDns({
    address: server.address,
    port: server.port,
    lookup: () => [],
    upstreams: () => [],
  });
  await assert.rejects(second.start(), (error: Error) => {
    assert.ok(error.message.includes(`${server.address}:${server.port}`), error.message);
    return true;
  });
  assert.deepEqual(addressesOf(await queryUdp(server, 'web')), ['10.1.0.5', '10.1.0.6']);
});

test('start() rejects when only TCP is taken, and releases the UDP port it bound', async (t) => {
  const port = await freePort(SERVER_ADDRESS);
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(port, SERVER_ADDRESS, resolve));
  t.after(() => closeServer(blocker));
  const server = new EmbeddedDns({ address: SERVER_ADDRESS, port, lookup: () => [], upstreams: () => [] });
  await assert.rejects(server.start(), new RegExp(`${SERVER_ADDRESS.replaceAll('.', '\\.')}:${port}/tcp`));

  const udp = createSocket('udp4');
  await new Promise<void>((resolve) => udp.bind(port, SERVER_ADDRESS, resolve));
  await closeUdp(udp);
});

test('stop() closes open TCP connections, gives up on pending upstreams and frees the port', async (t) => {
  const silent = await startSilentUpstream(t);
  const port = await freePort(SERVER_ADDRESS);
  const server = new EmbeddedDns({
    address: SERVER_ADDRESS,
    port,
    lookup: () => [],
    upstreams: () => [silent],
    upstreamTimeoutMs: 60_000,
  });
  await server.start();
  const client = await openTcp({ address: SERVER_ADDRESS, port });
  t.after(() => client.socket.destroy());
  client.socket.write(frame(encodeQuery('example.test')));
  await new Promise((resolve) => setTimeout(resolve, 50));

  await server.stop();
  await client.closed;
  await server.start();
  await server.stop();
});
