import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type AgentProcess, startAgent } from './harness/agent-process.js';
import { agentCli } from './harness/cli-process.js';
import { startRegistry, type TestRegistry } from './harness/registry.js';
import { pushBusybox } from './harness/test-images.js';

const USER = 'alice';
const PASSWORD = 'registry secret 123';

// Debian's registry accepts only bcrypt htpasswd files; a small proxy in front of it plays a
// registry with Basic authentication instead (the wire protocol is the same).
describe('login, logout and pulls from a registry that needs Basic credentials', () => {
  let registry: TestRegistry;
  let proxy: Server;
  let host: string;
  let agent: AgentProcess;
  const { cli } = agentCli(() => agent.host);
  const expected = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;

  before(async () => {
    registry = await startRegistry();
    await pushBusybox(registry, 'private/busybox');
    proxy = createServer(async (req, res) => {
      if (req.headers.authorization !== expected) {
        res.writeHead(401, { 'www-authenticate': 'Basic realm="test"', 'content-type': 'application/json' });
        res.end('{"errors":[{"code":"UNAUTHORIZED"}]}');
        return;
      }
      const upstream = await fetch(`${registry.url}${req.url}`, {
        method: req.method,
        headers: { accept: String(req.headers.accept ?? '*/*') },
      });
      const body = Buffer.from(await upstream.arrayBuffer());
      const headers = Object.fromEntries(upstream.headers.entries());
      delete headers['content-length'];
      delete headers['transfer-encoding'];
      res.writeHead(upstream.status, { ...headers, 'content-length': String(body.length) });
      res.end(body);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    host = `127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    agent = await startAgent();
  });
  after(async () => {
    await agent?.stop();
    proxy?.close();
    await registry?.stop();
  });

  const credentialsFile = () => join(agent.dataRoot, 'auth', 'registries.json');

  test('without a login the pull says how to log in', async () => {
    const pulled = await cli('pull', `${host}/private/busybox`);
    assert.equal(pulled.code, 1);
    assert.match(pulled.stderr, new RegExp(`authentication required; run \`stevedore login ${host}\``));
  });

  test('a wrong password is refused and not kept', async () => {
    const login = await cli('login', '-u', USER, '-p', 'wrong password', host);
    assert.equal(login.code, 1);
    assert.match(login.stderr, /wrong username or password/);
    assert.ok(!existsSync(credentialsFile()) || !readFileSync(credentialsFile(), 'utf8').includes(host));
  });

  test('after login the pull works; the credentials file is root-only; logout removes them', async () => {
    const login = await cli('login', '-u', USER, '-p', PASSWORD, host);
    assert.equal(login.code, 0, login.stderr);
    assert.equal(login.stdout.trim(), 'Login Succeeded');
    assert.equal(statSync(credentialsFile()).mode & 0o777, 0o600);
    const pulled = await cli('pull', '-q', `${host}/private/busybox`);
    assert.equal(pulled.code, 0, pulled.stderr);

    const logout = await cli('logout', host);
    assert.equal(logout.stdout.trim(), `Removing login credentials for ${host}`);
    assert.ok(!readFileSync(credentialsFile(), 'utf8').includes(host));
    const again = await cli('pull', `${host}/private/busybox`);
    assert.equal(again.code, 1);
  });
});
