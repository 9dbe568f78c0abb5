import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import { test } from 'node:test';
import dnsPacket from 'dns-packet';
import { EmbeddedDns } from './embedded-dns.js';

const PORT = 25353;

function queryUdp(address: string, name: string, type: 'A' | 'AAAA' = 'A'): Promise<dnsPacket.Packet> {
  const socket = createSocket('udp4');
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no answer')), 3000);
    socket.on('message', (message) => {
      clearTimeout(timer);
      socket.close();
      resolve(dnsPacket.decode(message));
    });
    socket.send(
      dnsPacket.encode({
        id: 4242,
        type: 'query',
        flags: dnsPacket.RECURSION_DESIRED,
        questions: [{ type, name }],
      }),
      PORT,
      address,
    );
  });
}

const rcode = (packet: dnsPacket.Packet) => (packet as { rcode?: string }).rcode;

async function withServer(
  upstreams: string[],
  run: (address: string) => Promise<void>,
  address = '127.0.0.61',
): Promise<void> {
  const server = new EmbeddedDns({
    address,
    port: PORT,
    lookup: (name) => (name === 'web' || name === 'www.alias' ? ['10.1.0.5'] : []),
    upstreams: () => upstreams,
    upstreamTimeoutMs: 200,
  });
  await server.start();
  try {
    await run(address);
  } finally {
    await server.stop();
  }
}

test('members resolve by name, case-insensitively; AAAA is empty; unknown single labels are NXDOMAIN', async () => {
  await withServer([], async (address) => {
    const answer = await queryUdp(address, 'WEB.');
    assert.equal(answer.id, 4242);
    assert.deepEqual(
      answer.answers?.map((a) => (a as { data: string }).data),
      ['10.1.0.5'],
    );
    const aaaa = await queryUdp(address, 'web', 'AAAA');
    assert.equal(rcode(aaaa), 'NOERROR');
    assert.equal(aaaa.answers?.length, 0);
    assert.equal(rcode(await queryUdp(address, 'nobody')), 'NXDOMAIN');
    assert.equal(rcode(await queryUdp(address, 'example.test')), 'SERVFAIL', 'no upstream');
  });
});

test('other names are forwarded unchanged; a dead upstream is skipped; TCP works; junk is ignored', async () => {
  const upstream = createSocket('udp4');
  upstream.on('message', (message, remote) => {
    const query = dnsPacket.decode(message);
    upstream.send(
      dnsPacket.encode({
        id: query.id,
        type: 'response',
        questions: query.questions,
        answers: [{ type: 'A', name: query.questions?.[0]?.name ?? '', ttl: 5, data: '10.9.9.9' }],
      }),
      remote.port,
      remote.address,
    );
  });
  await new Promise<void>((resolve) => upstream.bind(PORT, '127.0.0.63', resolve));
  try {
    await withServer(['127.0.0.62:25353', `127.0.0.63:${PORT}`], async (address) => {
      const forwarded = await queryUdp(address, 'upstream.test');
      assert.equal(forwarded.id, 4242);
      assert.deepEqual(
        forwarded.answers?.map((a) => (a as { data: string }).data),
        ['10.9.9.9'],
      );

      const junk = createSocket('udp4');
      junk.send(Buffer.from([1, 2, 3]), PORT, address, () => junk.close());
      const overTcp = await new Promise<dnsPacket.Packet>((resolve, reject) => {
        const socket = connect({ host: address, port: PORT });
        const body = dnsPacket.encode({ id: 7, type: 'query', questions: [{ type: 'A', name: 'web' }] });
        const prefix = Buffer.alloc(2);
        prefix.writeUInt16BE(body.length);
        socket.on('connect', () => socket.write(Buffer.concat([prefix, body])));
        socket.on('data', (data) => {
          socket.destroy();
          resolve(dnsPacket.decode(data.subarray(2)));
        });
        socket.on('error', reject);
      });
      assert.equal(overTcp.id, 7);
      assert.deepEqual(
        overTcp.answers?.map((a) => (a as { data: string }).data),
        ['10.1.0.5'],
      );
    });
  } finally {
    upstream.close();
  }
});

test('a second server on a taken address fails with the address in the message', async () => {
  await withServer([], async (address) => {
    const second = new EmbeddedDns({ address, port: PORT, lookup: () => [], upstreams: () => [] });
    await assert.rejects(second.start(), new RegExp(`DNS on ${address.replaceAll('.', '\\.')}:${PORT}`));
  });
});
