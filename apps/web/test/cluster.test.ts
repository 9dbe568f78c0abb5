// Several dashboard processes on one PostgreSQL (issue 22, "Past one process"): two real web
// processes, 50 simulated hosts (scripts/bench/fleet-sim.ts serves the agent's real API), a browser's
// event subscription on process A. Needs the agent built (npm run build -w @stevedore/agent).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createAgentClient } from '@stevedore/agent-api';
import { hashPassword } from '../src/server/auth/password';
import { createUser } from '../src/server/db/repositories/users';
import { openTestDatabase, type TestDatabase } from './db/test-database';
import { type Started, startChild, stop } from './harness/child-process';
import { waitFor } from './harness/control-plane';
import { httpRequest } from './harness/web-server';

const HOSTS = Number(process.env.CLUSTER_TEST_HOSTS ?? 50);
const EVENT_EVERY_MS = Number(process.env.CLUSTER_TEST_EVENT_MS ?? 10_000);

interface SeenEvent {
  hostId: string;
  timeNano: string;
}

/** A browser's live event subscription (tRPC over server-sent events), collecting what arrives. */
function watchEvents(port: number, cookie: string): { seen: SeenEvent[]; raw(): string; close(): void } {
  const seen: SeenEvent[] = [];
  let raw = '';
  const req = request({
    host: '127.0.0.1',
    port,
    path: `/api/trpc/events.watch?input=${encodeURIComponent('{}')}`,
    headers: { cookie, accept: 'text/event-stream' },
  });
  req.on('response', (res) => {
    let buffer = '';
    res.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      if (raw.length < 2000) raw += chunk.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const line of lines) {
        if (!line.startsWith('data:')) continue;
        const data = JSON.parse(line.slice(5)) as unknown;
        if (data && typeof data === 'object' && 'hostId' in data && 'timeNano' in data) {
          seen.push({ hostId: String(data.hostId), timeNano: String(data.timeNano) });
        }
      }
    });
    // The test ends the subscription itself; a reset then is expected.
    res.on('error', () => {});
  });
  req.on('error', () => {});
  req.end();
  return { seen, raw: () => raw, close: () => req.destroy() };
}

describe('two web processes on one PostgreSQL share 50 hosts', () => {
  let t: TestDatabase;
  let simDir: string;
  let sim: Started | undefined;
  let webA: Started | undefined;
  let webB: Started | undefined;
  const oracle: SeenEvent[] = [];
  const oracleConnections: Array<{ close(): Promise<void> }> = [];
  let browser: ReturnType<typeof watchEvents> | undefined;

  const holders = async () => {
    const rows = await t.db.hostLease.findMany({ where: { expiresAt: { gt: new Date() } } });
    const count = new Map<string, number>();
    for (const row of rows) count.set(row.holder, (count.get(row.holder) ?? 0) + 1);
    return { rows, count };
  };
  const until = async (check: () => Promise<boolean>, timeoutMs: number, what: string) => {
    const deadline = Date.now() + timeoutMs;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 200));
    }
  };

  before(async () => {
    t = await openTestDatabase('postgresql');
    simDir = mkdtempSync(join(tmpdir(), 'stevedore-cluster-sim-'));
    sim = await startChild([
      'scripts/bench/fleet-sim.ts',
      simDir,
      String(HOSTS),
      '5',
      String(EVENT_EVERY_MS),
    ]);
    const sockets = sim.line.sockets as string[];
    assert.equal(sockets.length, HOSTS);
    for (const [i, socket] of sockets.entries()) {
      const host = await t.db.host.create({
        data: { name: `sim-${i + 1}`, transport: 'unix', address: `unix://${socket}` },
      });
      // The test's own view of what each host emitted: the oracle for "nothing lost".
      const connection = createAgentClient({ host: `unix://${socket}` });
      connection.client.events.stream.subscribe(
        { since: null },
        { onData: (event) => oracle.push({ hostId: host.id, timeNano: event.timeNano }) },
      );
      oracleConnections.push(connection);
    }
    await createUser(t.db, {
      username: 'ada',
      passwordHash: await hashPassword('ada password 1'),
      role: 'admin',
    });
    const env = { DATABASE_URL: t.url };
    [webA, webB] = await Promise.all([
      startChild(['apps/web/test/harness/cluster-web-process.ts'], env),
      startChild(['apps/web/test/harness/cluster-web-process.ts'], env),
    ]);
  });

  after(async () => {
    browser?.close();
    await Promise.allSettled(oracleConnections.map((connection) => connection.close()));
    await Promise.all([stop(webA?.child), stop(webB?.child, 'SIGKILL')]);
    sim?.child.stdin?.end();
    await stop(sim?.child);
    rmSync(simDir, { recursive: true, force: true });
    await t?.close();
  });

  test('each host is followed by one process, a browser on A sees B’s hosts, and B’s death loses nothing', async () => {
    const a = webA as Started;
    const b = webB as Started;
    const idA = a.line.processId as string;
    const idB = b.line.processId as string;

    // The fleet splits evenly and every host is held (one lease row per host, one holder each).
    await until(
      async () => {
        const { rows, count } = await holders();
        return rows.length === HOSTS && count.get(idA) === HOSTS / 2 && count.get(idB) === HOSTS / 2;
      },
      60_000,
      'the two processes splitting the 50 hosts',
    );

    const login = await httpRequest(a.line.port as number, {
      method: 'POST',
      path: '/api/trpc/auth.login',
      body: JSON.stringify({ username: 'ada', password: 'ada password 1' }),
    });
    assert.equal(login.status, 200, login.body);
    const cookie = String(login.headers['set-cookie']?.[0]).split(';')[0] as string;
    browser = watchEvents(a.line.port as number, cookie);
    const seen = browser.seen;

    const heldByB = new Set((await holders()).rows.filter((row) => row.holder === idB).map((r) => r.hostId));
    await waitFor(() => seen.some((event) => heldByB.has(event.hostId)), 45_000).catch(async (error) => {
      throw new Error(
        `no event of B's hosts on A (${seen.length} events seen, ${oracle.length} emitted, ${String(
          await t.db.hostEvent.count(),
        )} stored; raw: ${browser?.raw().slice(0, 600)})`,
        { cause: error },
      );
    });

    // Every host is online on A, including those B follows (their state comes over NOTIFY).
    const statuses = async () => {
      const answer = await httpRequest(a.line.port as number, {
        path: '/api/trpc/hosts.list',
        headers: { cookie },
      });
      const hosts = (JSON.parse(answer.body) as { result: { data: Array<{ status: { state: string } }> } })
        .result.data;
      return hosts.map((host) => host.status.state);
    };
    await until(
      async () => (await statuses()).filter((state) => state === 'online').length === HOSTS,
      15_000,
      'every host online as seen from A',
    );

    // B dies without a word; A takes its hosts over once B's leases expire.
    b.child.kill('SIGKILL');
    await until(
      async () => (await holders()).count.get(idA) === HOSTS,
      40_000,
      'A holding all 50 hosts after B was killed',
    );
    const tookOverAt = BigInt(Date.now()) * 1_000_000n;

    // Events of B's former hosts still reach the browser on A, now from A's own feeds.
    await waitFor(
      () => seen.some((event) => heldByB.has(event.hostId) && BigInt(event.timeNano) > tookOverAt),
      15_000,
    );
    await until(
      async () => (await statuses()).filter((state) => state === 'online').length === HOSTS,
      15_000,
      'every host online on A after the take-over',
    );

    // Nothing lost: from the first event the cluster stored for a host on, every event that host
    // emitted is stored, including those B received but had not written yet and those emitted
    // while no process followed B's hosts.
    const cutoff = BigInt(Date.now()) * 1_000_000n;
    const key = (event: SeenEvent) => `${event.hostId}/${event.timeNano}`;
    let missing: SeenEvent[] = [];
    await until(
      async () => {
        const stored = await t.db.hostEvent.findMany({ select: { hostId: true, timeNano: true } });
        const keys = new Set(stored.map(key));
        const firstStored = new Map<string, bigint>();
        for (const event of stored) {
          const nano = BigInt(event.timeNano);
          if (nano < (firstStored.get(event.hostId) ?? nano + 1n)) firstStored.set(event.hostId, nano);
        }
        missing = oracle.filter((event) => {
          const nano = BigInt(event.timeNano);
          const from = firstStored.get(event.hostId);
          // A host with nothing stored yet has not emitted since the cluster started following it.
          return from !== undefined && nano >= from && nano <= cutoff && !keys.has(key(event));
        });
        return missing.length === 0;
      },
      10_000,
      'every emitted event stored',
    ).catch((error) => {
      throw new Error(`${missing.length} events not stored: ${JSON.stringify(missing.slice(0, 5))}`, {
        cause: error,
      });
    });
    const stored = await t.db.hostEvent.findMany({ select: { hostId: true, timeNano: true } });
    assert.equal(new Set(stored.map(key)).size, stored.length, 'no event stored twice');

    // A clean shutdown frees A's leases at once.
    await stop(a.child);
    const leftover = await t.db.hostLease.count({ where: { holder: idA } });
    assert.equal(leftover, 0, 'A released its leases when it stopped');
  });
});
