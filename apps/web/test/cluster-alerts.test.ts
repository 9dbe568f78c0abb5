// Alerts with several dashboard processes on one PostgreSQL (issue 22): a host's rules are evaluated
// by the one process that follows it, and each webhook delivery is sent by the one process that
// claimed it — a delivery claimed by a process that died is sent by another. Two real web
// processes, simulated hosts (scripts/bench/fleet-sim.ts), a webhook receiver on 127.0.0.1. Needs the
// agent built (npm run build -w @stevedore/agent).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { WebhookPayload } from '@stevedore/shared';
import { createRule, createWebhook } from '../src/server/db/repositories/alerts';
import { openTestDatabase, type TestDatabase } from './db/test-database';
import { type Started, startChild, stop } from './harness/child-process';

const HOSTS = 4;
// One container per host, dying and starting again in turn: a restart every two events.
const EVENT_EVERY_MS = 400;
const CLAIM_MS = 2_000;
const fastAlerts = {
  alertTiming: { tickMs: 500 },
  // A request may hang for a minute: the receiver holds the first one while its sender is killed.
  webhookRetry: {
    attempts: 3,
    backoffMs: 500,
    maxBackoffMs: 1_000,
    timeoutMs: 60_000,
    claimMs: CLAIM_MS,
    sweepMs: 500,
  },
};

interface Received {
  payload: WebhookPayload;
  answered: number | null;
}

/** A webhook receiver that holds the first request unanswered and answers 200 to the others. */
function startReceiver(): Promise<{ server: Server; url: string; received: Received[] }> {
  const received: Received[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (chunk: Buffer) => {
      body += chunk.toString();
    });
    req.on('end', () => {
      const entry: Received = { payload: JSON.parse(body) as WebhookPayload, answered: null };
      received.push(entry);
      if (received.length === 1) return; // its sender is killed while it waits
      entry.answered = 200;
      res.writeHead(200).end();
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      resolve({ server, url: `http://127.0.0.1:${port}/hook`, received });
    });
  });
}

describe('alerts with two web processes on one PostgreSQL', () => {
  let t: TestDatabase;
  let simDir: string;
  let sim: Started | undefined;
  let webA: Started | undefined;
  let webB: Started | undefined;
  let receiver: Awaited<ReturnType<typeof startReceiver>> | undefined;

  const until = async (check: () => Promise<boolean> | boolean, timeoutMs: number, what: string) => {
    const deadline = Date.now() + timeoutMs;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  before(async () => {
    t = await openTestDatabase('postgresql');
    simDir = mkdtempSync(join(tmpdir(), 'stevedore-cluster-alerts-'));
    sim = await startChild([
      'scripts/bench/fleet-sim.ts',
      simDir,
      String(HOSTS),
      '1',
      String(EVENT_EVERY_MS),
    ]);
    for (const [i, socket] of (sim.line.sockets as string[]).entries()) {
      await t.db.host.create({
        data: { name: `sim-${i + 1}`, transport: 'unix', address: `unix://${socket}` },
      });
    }
    receiver = await startReceiver();
    await createWebhook(t.db, {
      name: 'receiver',
      url: receiver.url,
      enabled: true,
      secretHeaderName: null,
      secretHeaderCiphertext: null,
      ruleIds: [],
    });
    const env = { DATABASE_URL: t.url, STEVEDORE_TEST_ALERTS: JSON.stringify(fastAlerts) };
    [webA, webB] = await Promise.all([
      startChild(['apps/web/test/harness/cluster-web-process.ts'], env),
      startChild(['apps/web/test/harness/cluster-web-process.ts'], env),
    ]);
  });

  after(async () => {
    await Promise.all([stop(webA?.child), stop(webB?.child, 'SIGKILL')]);
    receiver?.server.closeAllConnections();
    receiver?.server.close();
    sim?.child.stdin?.end();
    await stop(sim?.child);
    rmSync(simDir, { recursive: true, force: true });
    await t?.close();
  });

  test('a restart loop on a host B follows fires once, is sent once, and B’s unfinished delivery is sent by A', async () => {
    const idA = (webA as Started).line.processId as string;
    const idB = (webB as Started).line.processId as string;
    const leases = () => t.db.hostLease.findMany({ where: { expiresAt: { gt: new Date() } } });
    await until(
      async () => {
        const rows = await leases();
        return (
          rows.filter((row) => row.holder === idA).length === HOSTS / 2 &&
          rows.filter((row) => row.holder === idB).length === HOSTS / 2
        );
      },
      60_000,
      'the two processes splitting the hosts',
    );
    const hostOfB = (await leases()).find((row) => row.holder === idB)?.hostId as string;

    // Both processes read the new rule on their next tick; only B sees the host's events.
    const rule = await createRule(t.db, {
      name: 'restart loop on one host',
      enabled: true,
      condition: { kind: 'restart-loop', restarts: 2, windowMinutes: 1 },
      hostIds: [hostOfB],
      labels: [],
    });
    const received = receiver?.received as Received[];
    await until(() => received.length > 0, 30_000, 'the webhook receiving the alert');
    const alerts = () => t.db.alert.findMany({ where: { ruleId: rule.id } });
    assert.equal((await alerts()).length, 1, 'one alert row');
    assert.equal(received[0]?.payload.event, 'fired');
    assert.equal(received[0]?.payload.target.hostId, hostOfB);

    // B holds the delivery (its request is unanswered): A leaves it alone while B renews the claim.
    await new Promise((r) => setTimeout(r, CLAIM_MS * 2));
    assert.equal(received.length, 1, 'nobody else sends a delivery its claimant still works on');
    const deliveries = () => t.db.webhookDelivery.findMany({ where: { alert: { ruleId: rule.id } } });
    assert.equal((await deliveries()).length, 1);

    // B dies mid-delivery: A finds the abandoned claim and sends it, once.
    (webB as Started).child.kill('SIGKILL');
    await until(() => received.some((r) => r.answered === 200), 20_000, 'A sending the delivery');
    await until(
      async () => (await deliveries())[0]?.status === 'delivered',
      5_000,
      'the delivery recorded as delivered',
    );

    // A takes the host over and keeps seeing the loop: an occurrence of the same alert, not a new one.
    await until(
      async () => (await leases()).filter((row) => row.holder === idA).length === HOSTS,
      30_000,
      'A following every host',
    );
    const occurrencesAtTakeover = (await alerts())[0]?.occurrences ?? 0;
    await until(
      async () => ((await alerts())[0]?.occurrences ?? 0) > occurrencesAtTakeover,
      15_000,
      'A recording the loop on the host it took over',
    );
    const rows = await alerts();
    assert.equal(rows.length, 1, 'still one alert row');
    assert.equal(rows[0]?.state, 'firing');
    assert.equal((await deliveries()).length, 1, 'still one delivery');
    assert.equal(received.length, 2, "B's unanswered request and A's");
    assert.equal(received.filter((r) => r.answered === 200).length, 1, 'delivered once');
    assert.deepEqual(
      received.map((r) => [r.payload.event, r.payload.alert.id]),
      [
        ['fired', rows[0]?.id],
        ['fired', rows[0]?.id],
      ],
    );
  });
});
