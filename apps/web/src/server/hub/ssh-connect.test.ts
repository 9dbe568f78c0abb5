import assert from 'node:assert/strict';
import { createServer, type Server as NetServer, type Socket } from 'node:net';
import { after, before, test } from 'node:test';
import ssh2 from 'ssh2';
import { connectSsh } from './ssh-connect.js';

const { Server: SshServer, utils } = ssh2;

// An SSH server on 127.0.0.1 behind a front that drops the first connections it is told to, closed
// before any byte as sshd does past MaxStartups.
let ssh: InstanceType<typeof SshServer>;
let front: NetServer;
let port = 0;
let dropNext = 0;
let accepted = 0;
const sockets = new Set<Socket>();

before(async () => {
  const hostKey = utils.generateKeyPairSync('ed25519').private;
  ssh = new SshServer({ hostKeys: [hostKey] }, (client) => {
    client.on('authentication', (context) =>
      context.method === 'password' && context.password === 'secret' ? context.accept() : context.reject(),
    );
    client.on('error', () => {});
  });
  front = createServer((socket) => {
    accepted++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    if (dropNext > 0) {
      dropNext--;
      socket.destroy();
      return;
    }
    ssh.injectSocket(socket);
  });
  await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
  port = (front.address() as { port: number }).port;
});

after(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise((resolve) => front.close(resolve));
  ssh.close();
});

const target = () => ({
  host: '127.0.0.1',
  port,
  username: 'stevedore',
  password: 'secret',
  socketPath: '/run/stevedore/agent.sock',
});

test('a connection dropped before the handshake is tried again, and then succeeds', async () => {
  accepted = 0;
  dropNext = 2;
  const client = await connectSsh(target());
  client.end();
  assert.equal(accepted, 3);
});

test('a server that keeps dropping connections fails after three tries, saying so', async () => {
  accepted = 0;
  dropNext = 10;
  await assert.rejects(
    connectSsh(target()),
    /SSH to stevedore@127\.0\.0\.1:\d+ failed: Connection lost before handshake/,
  );
  assert.equal(accepted, 3);
  dropNext = 0;
});

test('a refused password is not tried again', async () => {
  accepted = 0;
  await assert.rejects(
    connectSsh({ ...target(), password: 'wrong' }),
    /All configured authentication methods failed/,
  );
  assert.equal(accepted, 1);
});
