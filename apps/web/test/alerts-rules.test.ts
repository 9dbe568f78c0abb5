import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { type AgentProcess, startAgent } from '@stevedore/agent/test/harness/agent-process';
import { runCli } from '@stevedore/agent/test/harness/cli-process';
import { startRegistry, type TestRegistry } from '@stevedore/agent/test/harness/registry';
import { pushBusybox } from '@stevedore/agent/test/harness/test-images';
import type { Alert, AlertConditionInput, SessionUser, WebhookPayload } from '@stevedore/shared';
import { openTestDatabase, type TestDatabase } from './db/test-database';
import { createControlPlane, registerAgentHost, usersByRole } from './harness/control-plane';

/** A webhook receiver on 127.0.0.1 that keeps every JSON body it is sent. */
async function startReceiver(): Promise<{ url: string; received: WebhookPayload[]; server: Server }> {
  const received: WebhookPayload[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as WebhookPayload);
      response.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/hook`, received, server };
}

/**
 * A rule's minute lasts this long here (AlertTiming.minuteMs): "for 1 minute" and "3 restarts in 1
 * minute" pass in seconds. The usage is averaged over 1 s blocks and polled every second.
 */
const MINUTE_MS = 8_000;
const TIMING = { tickMs: 200, blockSeconds: 1, minuteMs: MINUTE_MS };
const WEBHOOK_RETRY = { attempts: 3, backoffMs: 100, maxBackoffMs: 200, timeoutMs: 2_000 };

const MEMORY = 'ar-memory';
const CPU = 'ar-cpu';
const LOOP = 'ar-loop';
const SICK = 'ar-sick';

// The rules that watch usage or a sequence of events, each against a real container on a real
// agent: memory above x % of the limit for y minutes, sustained CPU throttling, a restart loop and
// a failing healthcheck. Each fires once, is stored, reaches a webhook receiver on 127.0.0.1, and
// resolves when its condition clears (the limit raised, the loop stopped, the check passing again).
describe('alerts against real containers: memory high, throttling, restart loop, unhealthy', () => {
  let t: TestDatabase;
  let agent: AgentProcess;
  let registry: TestRegistry;
  let plane: ReturnType<typeof createControlPlane>;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let image: string;
  let admin: SessionUser;
  const api = () => plane.callerAs(admin);
  const cli = async (...args: string[]) => {
    const result = await runCli(['-H', agent.host, ...args]);
    assert.equal(result.code, 0, `stevedore ${args.join(' ')}: ${result.stderr}`);
    return result.stdout.trim();
  };

  /** A rule scoped to one container's label, so the four rules never see each other's containers. */
  const rule = (name: string, condition: AlertConditionInput) =>
    api().alerts.createRule({ name, condition, labels: [`alerts-rules=${name}`] });

  /** Waits until the rule has an alert in `state` and the receiver got the matching POST. */
  async function expectAlert(
    ruleId: string,
    state: 'firing' | 'resolved',
    timeoutMs: number,
  ): Promise<Alert> {
    const event = state === 'firing' ? 'fired' : 'resolved';
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const [alert] = await api().alerts.list({ state, ruleId });
      if (alert && receiver.received.some((p) => p.rule.id === ruleId && p.event === event)) return alert;
      if (Date.now() > deadline) {
        const seen = receiver.received.filter((p) => p.rule.id === ruleId).map((p) => p.event);
        throw new Error(`rule ${ruleId}: no ${state} alert within ${timeoutMs} ms (webhook got ${seen})`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** The receiver's POSTs for one rule: exactly one "fired" and, once cleared, one "resolved". */
  function assertPosted(ruleId: string, alert: Alert, events: string[]): void {
    const posts = receiver.received.filter((p) => p.rule.id === ruleId);
    assert.deepEqual(
      posts.map((p) => p.event),
      events,
    );
    for (const post of posts) {
      assert.equal(post.alert.id, alert.id);
      assert.deepEqual(post.target, alert.target);
    }
  }

  before(async () => {
    t = await openTestDatabase('sqlite');
    agent = await startAgent();
    registry = await startRegistry();
    image = (await pushBusybox(registry)).reference;
    await cli('pull', '-q', image);
    receiver = await startReceiver();
    plane = createControlPlane(t.db, { alertTiming: TIMING, webhookRetry: WEBHOOK_RETRY });
    ({ admin } = await usersByRole(t.db, 'ar', ['admin']));
    await registerAgentHost(plane, admin, agent, 'ar-box');
    await api().alerts.createWebhook({ name: 'receiver', url: receiver.url });
    // Started first, so their usage history covers a rule's window by the time the rules exist
    // (a new rule reads back over its whole window).
    // 20 MiB of tmpfs (charged to the container, and not page cache the kernel may drop) under 32 MiB.
    await cli(
      'run',
      '-d',
      '--name',
      MEMORY,
      '--network',
      'none',
      '-m',
      '32m',
      '--memory-swap',
      '32m',
      '--label',
      'alerts-rules=memory',
      image,
      'sh',
      '-c',
      'dd if=/dev/zero of=/dev/shm/fill bs=1048576 count=20 && exec sleep 600',
    );
    // A busy loop under a twentieth of a CPU: throttled in nearly every CFS period.
    await cli(
      'run',
      '-d',
      '--name',
      CPU,
      '--network',
      'none',
      '--cpus',
      '0.05',
      '--label',
      'alerts-rules=throttling',
      image,
      'sh',
      '-c',
      'while :; do :; done',
    );
  });
  after(async () => {
    if (agent)
      for (const name of [MEMORY, CPU, LOOP, SICK]) await runCli(['-H', agent.host, 'rm', '-f', name]);
    await plane?.close();
    await agent?.stop();
    await registry?.stop();
    receiver?.server.close();
    await t?.close();
  });

  test('memory above 50 % of the limit for a minute fires; raising the limit resolves it', async () => {
    const { id } = await rule('memory', { kind: 'memory-high', thresholdPercent: 50, forMinutes: 1 });
    const fired = await expectAlert(id, 'firing', 4 * MINUTE_MS);
    assert.equal(fired.kind, 'memory-high');
    assert.equal(fired.target.containerName, MEMORY);
    assert.match(fired.summary, /^ar-memory uses \d+ % of its memory limit$/);
    assert.equal(fired.details.thresholdPercent, 50);
    assert.equal(fired.details.forMinutes, 1);
    const percent = Number(fired.details.percent);
    assert.ok(percent > 60 && percent <= 100, `20 MiB of 32 MiB and the shell: ${percent} %`);

    await cli('update', '--memory', '256m', '--memory-swap', '256m', MEMORY);
    const resolved = await expectAlert(id, 'resolved', 3 * MINUTE_MS);
    assert.equal(resolved.id, fired.id, 'the same alert, resolved');
    assert.match(String(resolved.details.resolution), /^memory back at \d+(\.\d)? %$/);
    assert.ok(resolved.resolvedAt);
    await plane.services.alerts.webhooks.idle();
    assertPosted(id, resolved, ['fired', 'resolved']);
    assert.equal(
      (await api().alerts.list({ state: 'firing', ruleId: id })).length,
      0,
      'no second alert once the limit is raised',
    );
  });

  test('throttled in more than 30 % of CPU periods for a minute fires; lifting the CPU limit resolves it', async () => {
    const { id } = await rule('throttling', { kind: 'cpu-throttling', thresholdPercent: 30, forMinutes: 1 });
    try {
      const fired = await expectAlert(id, 'firing', 4 * MINUTE_MS);
      assert.equal(fired.kind, 'cpu-throttling');
      assert.equal(fired.target.containerName, CPU);
      assert.match(fired.summary, /^ar-cpu is throttled in \d+ % of CPU periods$/);
      assert.ok(Number(fired.details.percent) > 30, `throttled share ${fired.details.percent} %`);

      // One busy thread under two CPUs: never throttled again.
      await cli('update', '--cpus', '2', CPU);
      const resolved = await expectAlert(id, 'resolved', 3 * MINUTE_MS);
      assert.equal(resolved.id, fired.id);
      assert.match(String(resolved.details.resolution), /^CPU throttling back at \d+(\.\d)? %$/);
      await plane.services.alerts.webhooks.idle();
      assertPosted(id, resolved, ['fired', 'resolved']);
    } finally {
      // The loop would take a whole CPU from here on.
      await runCli(['-H', agent.host, 'rm', '-f', CPU]);
    }
  });

  test('three restarts in a minute fire a restart loop; it resolves a minute after the loop is stopped', async () => {
    const { id } = await rule('loop', { kind: 'restart-loop', restarts: 3, windowMinutes: 1 });
    await cli(
      'run',
      '-d',
      '--name',
      LOOP,
      '--network',
      'none',
      '--restart',
      'always',
      '--label',
      'alerts-rules=loop',
      image,
      'sh',
      '-c',
      'exit 3',
    );
    const fired = await expectAlert(id, 'firing', MINUTE_MS);
    assert.equal(fired.kind, 'restart-loop');
    assert.equal(fired.target.containerName, LOOP);
    assert.match(fired.summary, /^ar-loop restarted \d+ times in 1 min$/);
    assert.equal(fired.details.windowMinutes, 1);

    await cli('stop', '-t', '1', LOOP);
    // Stopping is not what resolves it (the rule resolves no loop on a stop): the window passing is.
    const resolved = await expectAlert(id, 'resolved', 3 * MINUTE_MS);
    assert.equal(resolved.id, fired.id);
    assert.equal(resolved.details.resolution, 'fewer than 3 restarts in the last 1 min');
    await plane.services.alerts.webhooks.idle();
    assertPosted(id, resolved, ['fired', 'resolved']);
  });

  test('a failing healthcheck fires "unhealthy"; passing again resolves it', async () => {
    const { id } = await rule('sick', { kind: 'unhealthy' });
    await cli(
      'run',
      '-d',
      '--name',
      SICK,
      '--network',
      'none',
      '--health-cmd',
      'test ! -e /tmp/sick',
      '--health-interval',
      '1s',
      '--health-retries',
      '1',
      '--label',
      'alerts-rules=sick',
      image,
      'sh',
      '-c',
      'touch /tmp/sick && exec sleep 600',
    );
    const fired = await expectAlert(id, 'firing', 20_000);
    assert.equal(fired.kind, 'unhealthy');
    assert.equal(fired.target.containerName, SICK);
    assert.equal(fired.summary, 'ar-sick is unhealthy');

    await cli('exec', SICK, 'rm', '/tmp/sick');
    const resolved = await expectAlert(id, 'resolved', 20_000);
    assert.equal(resolved.id, fired.id);
    assert.equal(resolved.details.resolution, 'the healthcheck passes again');
    await plane.services.alerts.webhooks.idle();
    assertPosted(id, resolved, ['fired', 'resolved']);
  });
});
