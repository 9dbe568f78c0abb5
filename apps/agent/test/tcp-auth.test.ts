import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type AgentConnection, createAgentClient } from '@stevedore/agent-api';
import { TRPCClientError } from '@trpc/client';
import { type AgentProcess, startAgent } from './harness/agent-process.js';
import { runCli } from './harness/cli-process.js';
import { type ConnectionFailure, connectOnce, rawUpgradeStatus } from './harness/probes.js';

describe('TCP listener on loopback (token required)', () => {
  let agent: AgentProcess;
  before(async () => {
    agent = await startAgent({ tcp: true });
  });
  after(() => agent?.stop());

  test('an upgrade without a token is refused with 401 before upgrading', async () => {
    assert.equal(await rawUpgradeStatus(agent.tcpUrl!, {}), 401);
  });

  test('an upgrade with a wrong token is refused with 401', async () => {
    assert.equal(await rawUpgradeStatus(agent.tcpUrl!, { authorization: 'Bearer sdt_wrong' }), 401);
    assert.equal(await rawUpgradeStatus(agent.tcpUrl!, { authorization: `Basic ${agent.token}` }), 401);
  });

  test('the upgrade with the created token is accepted', async () => {
    assert.equal(await rawUpgradeStatus(agent.tcpUrl!, { authorization: `Bearer ${agent.token}` }), 101);
  });

  test('the client reports 401 when it has no token', async () => {
    await assert.rejects(connectOnce({ host: agent.tcpUrl! }), (error: ConnectionFailure) => {
      assert.equal(error.statusCode, 401);
      return true;
    });
  });

  test('system.info works over TCP with the token', async (t) => {
    const connection = createAgentClient({ host: agent.tcpHost!, token: agent.token! });
    t.after(() => connection.close());
    const info = await connection.client.system.info.query();
    assert.equal(info.DockerRootDir, agent.dataRoot);
  });

  test('token procedures are refused over TCP even with a valid token', async (t) => {
    const connection = createAgentClient({ host: agent.tcpUrl!, token: agent.token! });
    t.after(() => connection.close());
    for (const call of [
      () => connection.client.tokens.list.query(),
      () => connection.client.tokens.create.mutate({ name: 'sneaky' }),
      () => connection.client.tokens.remove.mutate({ id: '000000000000' }),
    ]) {
      await assert.rejects(call(), (error: unknown) => {
        assert.ok(error instanceof TRPCClientError);
        assert.equal(error.data?.code, 'FORBIDDEN');
        assert.equal(error.data?.stevedoreCode, 'PERMISSION_DENIED');
        return true;
      });
    }
  });

  test('a removed token no longer opens connections and its open connections are cut', {
    timeout: 10_000,
  }, async (t) => {
    const local = createAgentClient({ host: agent.host });
    t.after(() => local.close());
    const created = await local.client.tokens.create.mutate({ name: 'short-lived' });
    assert.equal(await rawUpgradeStatus(agent.tcpUrl!, { authorization: `Bearer ${created.token}` }), 101);

    let closedWith: number | undefined;
    let remote: AgentConnection | undefined;
    const closed = new Promise<void>((resolve) => {
      remote = createAgentClient({
        host: agent.tcpUrl!,
        token: created.token,
        retryDelayMs: () => 50,
        onClose: (cause) => {
          closedWith = cause?.code;
          resolve();
        },
      });
    });
    t.after(() => remote?.close());
    assert.equal(await remote!.client.system.ping.query(), 'OK');

    await local.client.tokens.remove.mutate({ id: created.id });
    await closed;
    assert.equal(closedWith, 1008, 'the agent closes the revoked connection (policy violation)');
    assert.equal(await rawUpgradeStatus(agent.tcpUrl!, { authorization: `Bearer ${created.token}` }), 401);
  });

  test('the CLI uses --token / STEVEDORE_TOKEN over TCP, and explains a missing token', async () => {
    const withFlag = await runCli([
      '-H',
      agent.tcpHost!,
      '--token',
      agent.token!,
      'info',
      '--format',
      '{{.DockerRootDir}}',
    ]);
    assert.equal(withFlag.code, 0, withFlag.stderr);
    assert.equal(withFlag.stdout, `${agent.dataRoot}\n`);
    const withEnv = await runCli(['info', '--format', '{{.ExecRoot}}'], {
      STEVEDORE_HOST: agent.tcpHost!,
      STEVEDORE_TOKEN: agent.token!,
    });
    assert.equal(withEnv.stdout, `${agent.execRoot}\n`);
    const without = await runCli(['-H', agent.tcpHost!, 'info']);
    assert.equal(without.code, 1);
    assert.match(without.stderr, /unauthorized: the agent at tcp:\/\/127\.0\.0\.1:\d+ needs a valid token/);
    assert.equal(without.stdout, '');
  });
});

describe('TCP listener with TLS', () => {
  let agent: AgentProcess;
  before(async () => {
    agent = await startAgent({ tls: true });
  });
  after(() => agent?.stop());

  test('the TLS upgrade without a token is refused with 401', async () => {
    assert.match(agent.tcpUrl!, /^https:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(await rawUpgradeStatus(agent.tcpUrl!, {}, agent.caCert), 401);
    assert.equal(await rawUpgradeStatus(agent.tcpUrl!, { authorization: 'Bearer nope' }, agent.caCert), 401);
  });

  test('system.info works with the CA pinned and the token', async (t) => {
    const connection = createAgentClient({ host: agent.tcpUrl!, token: agent.token!, ca: agent.caCert! });
    t.after(() => connection.close());
    assert.equal((await connection.client.system.info.query()).DockerRootDir, agent.dataRoot);
    await assert.rejects(connection.client.tokens.list.query(), (error: unknown) => {
      assert.ok(error instanceof TRPCClientError);
      assert.equal(error.data?.code, 'FORBIDDEN');
      return true;
    });
  });

  test('without the CA the self-signed certificate is not trusted', async () => {
    await assert.rejects(
      connectOnce({ host: agent.tcpUrl!, token: agent.token! }),
      (error: ConnectionFailure) => {
        assert.match(error.code ?? '', /SELF_SIGNED|UNABLE_TO_VERIFY/);
        return true;
      },
    );
  });

  test('plain ws:// to the TLS port does not connect', async () => {
    await assert.rejects(
      connectOnce({ host: agent.tcpUrl!.replace('https:', 'http:'), token: agent.token! }),
    );
  });

  test('the CLI connects with --tlscacert', async () => {
    const result = await runCli([
      '-H',
      agent.tcpHost!,
      '--tlscacert',
      agent.caCertFile!,
      '--token',
      agent.token!,
      'info',
      '--format',
      '{{.DockerRootDir}}',
    ]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, `${agent.dataRoot}\n`);
    const untrusted = await runCli(['-H', agent.tcpUrl!, '--token', agent.token!, 'info']);
    assert.equal(untrusted.code, 1);
    assert.match(untrusted.stderr, /^error during connect: /);
  });

  test('the CLI trusts a CA named by NODE_EXTRA_CA_CERTS for an https:// agent', async () => {
    const args = ['-H', agent.tcpUrl!, '--token', agent.token!, 'info', '--format', '{{.DockerRootDir}}'];
    const trusted = await runCli(args, { NODE_EXTRA_CA_CERTS: agent.caCertFile! });
    assert.equal(trusted.code, 0, trusted.stderr);
    assert.equal(trusted.stdout, `${agent.dataRoot}\n`);
    // tcp:// without --tlscacert stays plain: the handed-over CA is no reason to switch to TLS.
    const plainTcp = await runCli(['-H', agent.tcpHost!, '--token', agent.token!, 'info'], {
      NODE_EXTRA_CA_CERTS: agent.caCertFile!,
    });
    assert.equal(plainTcp.code, 1);
  });
});
