// How soon the hub notices an agent that stops answering (SIGSTOP: its socket stays open, nothing
// answers): a simulated host in its own process (scripts/bench/fleet-sim.ts), the real transport.
// Needs the agent built (npm run build -w @stevedore/agent).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { HostStatus } from '@stevedore/shared';
import pino from 'pino';
import { AgentHub } from '../src/server/hub/agent-hub';
import { connectAgent } from '../src/server/hub/connect-agent';
import { type Started, startChild, stop } from './harness/child-process';

const PING_MS = 5_000; // the product's default

describe('the hub and an agent that stops answering', () => {
  let simDir: string;
  let sim: Started | undefined;
  let hub: AgentHub | undefined;

  before(async () => {
    simDir = mkdtempSync(join(tmpdir(), 'stevedore-liveness-'));
    // One quiet host: no events, so only heartbeats tell that it is alive.
    sim = await startChild(['scripts/bench/fleet-sim.ts', simDir, '1', '1', '0']);
  });

  after(async () => {
    sim?.child.kill('SIGCONT');
    await hub?.close();
    sim?.child.stdin?.end();
    await stop(sim?.child);
    rmSync(simDir, { recursive: true, force: true });
  });

  test('a SIGSTOPped agent is degraded within two ping intervals and offline once the socket gives up', async () => {
    const socket = ((sim as Started).line.sockets as string[])[0] as string;
    hub = new AgentHub(connectAgent, pino({ level: 'silent' }), { pingIntervalMs: PING_MS });
    const changes: Array<{ at: number; status: HostStatus }> = [];
    hub.onStatus((status) => changes.push({ at: Date.now(), status }));
    hub.add({ hostId: 'quiet', name: 'quiet', address: `unix://${socket}` });
    const until = async (state: string, timeoutMs: number) => {
      const deadline = Date.now() + timeoutMs;
      while (hub?.status('quiet').state !== state) {
        if (Date.now() > deadline)
          throw new Error(`not ${state} within ${timeoutMs} ms: ${JSON.stringify(changes)}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      return Date.now();
    };
    await until('online', 15_000);
    // A quiet host stays online: heartbeats keep it so without events.
    await new Promise((r) => setTimeout(r, PING_MS * 3));
    assert.equal(hub.status('quiet').state, 'online', JSON.stringify(changes));

    sim?.child.kill('SIGSTOP');
    const stoppedAt = Date.now();
    const degradedAt = await until('degraded', PING_MS * 4);
    const offlineAt = await until('offline', 60_000);
    process.stdout.write(
      `# degraded after ${degradedAt - stoppedAt} ms, offline after ${offlineAt - stoppedAt} ms (ping every ${PING_MS} ms)\n`,
    );
    // Before this change (a ping every interval) it was degraded after 9.8 s and offline after 40 s.
    assert.ok(degradedAt - stoppedAt <= PING_MS * 2 + 1_500, `degraded after ${degradedAt - stoppedAt} ms`);
    assert.ok(offlineAt - stoppedAt <= 45_000, `offline after ${offlineAt - stoppedAt} ms`);

    sim?.child.kill('SIGCONT');
    await until('online', 60_000);
  });
});
