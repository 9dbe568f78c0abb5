import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { isStevedoreError } from '@stevedore/shared';
import { appendAudit, listAudit } from '../../src/server/db/repositories/audit';
import {
  createHost,
  deleteHost,
  findHostByName,
  getHost,
  listHosts,
  updateHost,
} from '../../src/server/db/repositories/hosts';
import {
  createSession,
  deleteExpiredSessions,
  deleteSession,
  findSession,
} from '../../src/server/db/repositories/sessions';
import {
  countUsers,
  createUser,
  deleteUser,
  findUserByUsername,
} from '../../src/server/db/repositories/users';
import { openTestDatabase, type TestDatabase } from './test-database';

const rejectsWith = (code: string) => (error: unknown) => isStevedoreError(error) && error.code === code;

// One conformance suite, run against every database the control plane supports.
for (const provider of ['sqlite', 'postgresql'] as const) {
  describe(`repositories on ${provider}`, () => {
    let t: TestDatabase;
    before(async () => {
      t = await openTestDatabase(provider);
    });
    after(async () => {
      await t?.close();
    });

    test('users: create, find, unique usernames', async () => {
      assert.equal(await countUsers(t.db), 0);
      const alice = await createUser(t.db, { username: 'alice', passwordHash: 'h', role: 'admin' });
      assert.equal((await findUserByUsername(t.db, 'alice'))?.id, alice.id);
      assert.equal(await findUserByUsername(t.db, 'nobody'), null);
      await assert.rejects(
        createUser(t.db, { username: 'alice', passwordHash: 'x', role: 'viewer' }),
        rejectsWith('ALREADY_EXISTS'),
      );
      assert.equal(await countUsers(t.db), 1);
    });

    test('sessions: found while valid, gone when expired, deleted with their user', async () => {
      const bob = await createUser(t.db, { username: 'bob', passwordHash: 'h', role: 'viewer' });
      const hour = 3_600_000;
      await createSession(t.db, {
        userId: bob.id,
        tokenHash: 'a'.repeat(64),
        expiresAt: new Date(Date.now() + hour),
        userAgent: 'ua',
        ip: '127.0.0.1',
      });
      await createSession(t.db, {
        userId: bob.id,
        tokenHash: 'b'.repeat(64),
        expiresAt: new Date(Date.now() - 1),
        userAgent: null,
        ip: null,
      });
      const found = await findSession(t.db, 'a'.repeat(64));
      assert.equal(found?.user.username, 'bob');
      assert.equal(await findSession(t.db, 'b'.repeat(64)), null, 'an expired session is not found');
      assert.equal((await deleteExpiredSessions(t.db)).count, 1);
      await deleteSession(t.db, 'a'.repeat(64));
      assert.equal(await findSession(t.db, 'a'.repeat(64)), null);
      await createSession(t.db, {
        userId: bob.id,
        tokenHash: 'c'.repeat(64),
        expiresAt: new Date(Date.now() + hour),
        userAgent: null,
        ip: null,
      });
      await deleteUser(t.db, bob.id);
      assert.equal(
        await t.db.session.count({ where: { userId: bob.id } }),
        0,
        'sessions cascade with their user',
      );
    });

    test('hosts: create, list in name order, update, unique names, delete', async () => {
      const b = await createHost(t.db, {
        name: 'beta',
        transport: 'tls',
        address: 'https://10.0.0.2:2376',
        labels: { env: 'prod' },
      });
      await createHost(t.db, {
        name: 'alpha',
        transport: 'unix',
        address: 'unix:///run/stevedore/agent.sock',
      });
      assert.deepEqual(
        (await listHosts(t.db)).map((h) => h.name),
        ['alpha', 'beta'],
      );
      assert.deepEqual(JSON.parse((await getHost(t.db, b.id)).labels), { env: 'prod' });
      await updateHost(t.db, b.id, { address: 'https://10.0.0.3:2376' });
      assert.equal((await findHostByName(t.db, 'beta'))?.address, 'https://10.0.0.3:2376');
      await assert.rejects(
        createHost(t.db, { name: 'beta', transport: 'unix', address: 'unix:///x' }),
        rejectsWith('ALREADY_EXISTS'),
      );
      await deleteHost(t.db, b.id);
      await assert.rejects(getHost(t.db, b.id), rejectsWith('NOT_FOUND'));
      await assert.rejects(deleteHost(t.db, b.id), rejectsWith('NOT_FOUND'));
    });

    test('audit: newest first, paged by cursor', async () => {
      for (let i = 0; i < 5; i++) {
        await appendAudit(t.db, {
          userId: null,
          username: 'system',
          action: `test.${i}`,
          params: { i },
          result: 'ok',
        });
        await new Promise((r) => setTimeout(r, 5));
      }
      const first = await listAudit(t.db, { limit: 3 });
      assert.deepEqual(
        first.map((e) => e.action),
        ['test.4', 'test.3', 'test.2'],
      );
      const second = await listAudit(t.db, { limit: 3, cursor: first.at(-1)!.id });
      assert.deepEqual(
        second.map((e) => e.action),
        ['test.1', 'test.0'],
      );
      assert.deepEqual(JSON.parse(second[0]!.params), { i: 1 });
    });
  });
}
