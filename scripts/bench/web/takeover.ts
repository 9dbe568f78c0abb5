/**
 * `npm run bench -- takeover`: how long a fleet shared by two web processes on one PostgreSQL takes
 * to be whole again when one process is killed (kill -9). Two cluster web processes (the test
 * harness apps/web/test/harness/cluster-web-process.ts: real services, real HTTP server) follow
 * FLEET_HOSTS simulated hosts (default 50, each emitting an event every TAKEOVER_EVENT_MS, default
 * 2 s); each run kills the process that follows half of them and measures, from the kill, until
 * every host is followed by the survivor again and online (its lease row), while /api/health is
 * asked on the survivor back to back. A new process joins before the next run. Events lost: every
 * event a host emitted (the benchmark's own subscription to each simulated agent) from the first
 * one the cluster stored on, missing from the database at the end — must be 0.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAgentClient } from '@stevedore/agent-api';
import { openTestDatabase } from '../../../apps/web/test/db/test-database';
import { type Started, startChild, stop } from '../../../apps/web/test/harness/child-process';
import { nowMs, percentile, sleep } from './measure';

type Table = (name: string, rows: [string, string][]) => void;

const RUNS = 3;
const WEB_PROCESS = 'apps/web/test/harness/cluster-web-process.ts';

function health(port: number): Promise<number> {
  const started = nowMs();
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/api/health' }, (res) => {
      res.resume();
      res.on('end', () => resolve(nowMs() - started));
    });
    req.on('error', reject);
    req.end();
  });
}

export async function benchTakeover(table: Table): Promise<void> {
  const hosts = Number(process.env.FLEET_HOSTS ?? 50);
  const eventEveryMs = Number(process.env.TAKEOVER_EVENT_MS ?? 2_000);
  const t = await openTestDatabase('postgresql');
  const simDir = mkdtempSync(join(tmpdir(), 'stevedore-takeover-'));
  const children: Started[] = [];
  const oracle: Array<{ hostId: string; timeNano: string }> = [];
  const oracleConnections: Array<{ close(): Promise<void> }> = [];
  try {
    const sim = await startChild([
      'scripts/bench/fleet-sim.ts',
      simDir,
      String(hosts),
      '5',
      String(eventEveryMs),
    ]);
    children.push(sim);
    for (const [i, socket] of (sim.line.sockets as string[]).entries()) {
      const host = await t.db.host.create({
        data: { name: `sim-${i + 1}`, transport: 'unix', address: `unix://${socket}` },
      });
      const connection = createAgentClient({ host: `unix://${socket}` });
      connection.client.events.stream.subscribe(
        { since: null },
        { onData: (event) => oracle.push({ hostId: host.id, timeNano: event.timeNano }) },
      );
      oracleConnections.push(connection);
    }
    const env = { DATABASE_URL: t.url };
    const startWeb = async () => {
      const web = await startChild([WEB_PROCESS], env);
      children.push(web);
      return web;
    };
    const leases = () => t.db.hostLease.findMany({ where: { expiresAt: { gt: new Date() } } });
    const waitUntil = async (check: () => Promise<boolean>, timeoutMs: number, what: string) => {
      const deadline = Date.now() + timeoutMs;
      while (!(await check())) {
        if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
        await sleep(100);
      }
    };

    const survivor = await startWeb();
    const survivorId = survivor.line.processId as string;
    const takeoverMs: number[] = [];
    const healthMs: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      const victim = await startWeb();
      const victimId = victim.line.processId as string;
      await waitUntil(
        async () => {
          const rows = await leases();
          const victims = rows.filter((row) => row.holder === victimId).length;
          return (
            rows.length === hosts &&
            victims >= Math.floor(hosts / 2) &&
            rows.every((row) => row.state === 'online')
          );
        },
        120_000,
        'the fleet split between two processes and online',
      );
      let sampling = true;
      const sampler = (async () => {
        while (sampling) healthMs.push(await health(survivor.line.port as number));
      })();
      const killedAt = nowMs();
      victim.child.kill('SIGKILL');
      await waitUntil(
        async () => {
          const rows = await leases();
          return (
            rows.length === hosts && rows.every((row) => row.holder === survivorId && row.state === 'online')
          );
        },
        120_000,
        'the survivor following every host, online',
      );
      takeoverMs.push(nowMs() - killedAt);
      sampling = false;
      await sampler;
    }

    // Nothing lost: from the first event the cluster stored for a host on, every emitted one is stored.
    await sleep(3_000);
    const cutoff = BigInt(Date.now() - 2_000) * 1_000_000n;
    const stored = await t.db.hostEvent.findMany({ select: { hostId: true, timeNano: true } });
    const keys = new Set(stored.map((event) => `${event.hostId}/${event.timeNano}`));
    const firstStored = new Map<string, bigint>();
    for (const event of stored) {
      const nano = BigInt(event.timeNano);
      if (nano < (firstStored.get(event.hostId) ?? nano + 1n)) firstStored.set(event.hostId, nano);
    }
    const lost = oracle.filter((event) => {
      const nano = BigInt(event.timeNano);
      const from = firstStored.get(event.hostId);
      return (
        from !== undefined && nano >= from && nano <= cutoff && !keys.has(`${event.hostId}/${event.timeNano}`)
      );
    }).length;
    const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
    table(`take-over after kill -9 (2 processes, ${hosts} hosts, ${RUNS} runs)`, [
      ['kill → every host followed again and online, p50', seconds(percentile(takeoverMs, 50))],
      ['kill → every host followed again and online, max', seconds(Math.max(...takeoverMs))],
      ['runs', takeoverMs.map(seconds).join(', ')],
      ['events emitted / lost', `${oracle.length} / ${lost}`],
      ['/api/health on the survivor meanwhile, p50', `${percentile(healthMs, 50).toFixed(1)} ms`],
      ['/api/health on the survivor meanwhile, p99', `${percentile(healthMs, 99).toFixed(1)} ms`],
      ['/api/health samples', String(healthMs.length)],
    ]);
  } finally {
    await Promise.allSettled(oracleConnections.map((connection) => connection.close()));
    for (const child of children.slice(1).reverse()) await stop(child.child);
    children[0]?.child.stdin?.end();
    await stop(children[0]?.child);
    rmSync(simDir, { recursive: true, force: true });
    await t.close();
  }
}
