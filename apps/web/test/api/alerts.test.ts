import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { type AgentProcess, startAgent } from '@stevedore/agent/test/harness/agent-process';
import { runCli } from '@stevedore/agent/test/harness/cli-process';
import { startRegistry, type TestRegistry } from '@stevedore/agent/test/harness/registry';
import { pushBusybox } from '@stevedore/agent/test/harness/test-images';
import type { SessionUser, WebhookPayload } from '@stevedore/shared';
import { openTestDatabase, type TestDatabase } from '../db/test-database';
import { createControlPlane, registerAgentHost, usersByRole, waitFor } from '../harness/control-plane';

interface Received {
  headers: IncomingHttpHeaders;
  body: WebhookPayload;
}

/** A webhook receiver on 127.0.0.1 that answers with the given statuses in turn (then 200). */
async function startReceiver(
  statuses: number[] = [],
): Promise<{ url: string; received: Received[]; server: Server }> {
  const received: Received[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({ headers: request.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
      response.statusCode = statuses.shift() ?? 200;
      response.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/hook`, received, server };
}

const HOG = 'al-hog';
/** Allocates 64 MiB under a 16 MiB limit without swap: the kernel kills it at once. */
const HOG_ARGS = ['--memory', '16m', '--memory-swap', '16m', '--label', 'alerts-test=oom'];
const HOG_COMMAND = ['sh', '-c', 'dd if=/dev/zero of=/dev/null bs=64M count=1'];
const FAST = {
  alertTiming: { tickMs: 100, blockSeconds: 2 },
  webhookRetry: { attempts: 3, backoffMs: 100, maxBackoffMs: 200, timeoutMs: 2_000 },
};

// An OOM-killed container on a real agent fires a stored, deduplicated alert, POSTed to a receiver
// on 127.0.0.1 (retried after a failure), which resolves once the quiet period passes; the firing
// state survives a restart of the dashboard's server.
describe('alerts: OOM kill → stored, deduplicated alert → webhook → resolved', () => {
  let t: TestDatabase;
  let agent: AgentProcess;
  let registry: TestRegistry;
  let plane: ReturnType<typeof createControlPlane>;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let failing: Awaited<ReturnType<typeof startReceiver>>;
  let image: string;
  let hostId: string;
  let users: Record<'admin' | 'viewer', SessionUser>;
  const admin = () => plane.callerAs(users.admin);
  const cli = async (...args: string[]) => {
    const result = await runCli(['-H', agent.host, ...args]);
    return result;
  };
  const firing = async () => (await admin().alerts.list({ state: 'firing' })).filter((a) => a.kind === 'oom');

  before(async () => {
    t = await openTestDatabase('sqlite');
    agent = await startAgent();
    registry = await startRegistry();
    image = (await pushBusybox(registry)).reference;
    const pulled = await cli('pull', '-q', image);
    assert.equal(pulled.code, 0, pulled.stderr);
    receiver = await startReceiver([500]);
    failing = await startReceiver([500, 500, 500, 500]);
    plane = createControlPlane(t.db, FAST);
    users = await usersByRole(t.db, 'al', ['admin', 'viewer']);
    hostId = await registerAgentHost(plane, users.admin, agent, 'al-box');
  });
  after(async () => {
    if (agent) await cli('rm', '-f', HOG);
    await plane?.close();
    await agent?.stop();
    await registry?.stop();
    receiver?.server.close();
    failing?.server.close();
    await t?.close();
  });

  test('an OOM kill fires one alert, stored and POSTed; a repeat is an occurrence; quiet resolves it', async () => {
    const rule = await admin().alerts.createRule({
      name: 'oom anywhere',
      condition: { kind: 'oom', clearAfterMinutes: 1 },
      labels: ['alerts-test=oom'],
    });
    const hook = await admin().alerts.createWebhook({
      name: 'receiver',
      url: receiver.url,
      secretHeaderName: 'X-Test-Secret',
      secretHeaderValue: 'sesame',
      ruleIds: [rule.id],
    });
    await admin().alerts.createWebhook({ name: 'broken', url: failing.url });
    // Another rule whose labels do not match: it must not fire.
    await admin().alerts.createRule({
      name: 'other team',
      condition: { kind: 'oom', clearAfterMinutes: 1 },
      labels: ['team=other'],
    });

    const run = await cli('run', '--name', HOG, ...HOG_ARGS, image, ...HOG_COMMAND);
    assert.equal(run.code, 137, `the hog is OOM-killed: ${run.stderr}`);
    await waitFor(() => receiver.received.length >= 2, 15_000);
    const alerts = await firing();
    assert.equal(alerts.length, 1, 'one alert: the other rule does not match the labels');
    const [alert] = alerts;
    assert.equal(alert?.ruleId, rule.id);
    assert.equal(alert?.target.hostId, hostId);
    assert.equal(alert?.target.containerName, HOG);
    assert.equal(alert?.occurrences, 1);
    assert.match(alert?.summary ?? '', /al-hog was killed: out of memory/);

    // The first POST got a 500, the retry a 200: the same body twice, with the secret header.
    const [first, second] = receiver.received;
    assert.equal(first?.body.event, 'fired');
    assert.equal(second?.body.alert.id, alert?.id);
    assert.equal(second?.body.rule.id, rule.id);
    assert.deepEqual(second?.body.target, alert?.target);
    assert.equal(second?.headers['x-test-secret'], 'sesame');
    assert.equal(second?.headers['content-type'], 'application/json');
    await plane.services.alerts.webhooks.idle();
    const hooks = await admin().alerts.webhooks();
    const delivered = hooks.find((h) => h.id === hook.id)?.lastDelivery;
    assert.equal(delivered?.status, 'delivered');
    assert.equal(delivered?.attempts, 2);
    assert.equal(delivered?.responseStatus, 200);
    const broken = hooks.find((h) => h.name === 'broken')?.lastDelivery;
    assert.equal(broken?.status, 'failed', 'three attempts, all answered 500');
    assert.equal(broken?.attempts, 3);
    assert.match(broken?.lastError ?? '', /answered 500/);
    assert.equal(hooks.find((h) => h.id === hook.id)?.hasSecret, true);
    assert.equal(JSON.stringify(hooks).includes('sesame'), false, 'the secret never leaves the server');
    const viewerHooks = await plane.callerAs(users.viewer).alerts.webhooks();
    assert.equal(
      viewerHooks.find((h) => h.id === hook.id)?.url,
      `${new URL(receiver.url).origin}/…`,
      'viewers see where a webhook points, not its path',
    );
    const audit = (await admin().audit.list({ action: 'webhook.' })).entries;
    const created = audit.find((entry) => entry.target === 'receiver');
    assert.equal(created?.action, 'webhook.create');
    assert.equal(created?.username, 'al-admin');
    assert.equal(created?.params.url, receiver.url);
    assert.equal(JSON.stringify(audit).includes('sesame'), false, 'nor does the audit log keep it');
    const ruleAudit = (await admin().audit.list({ action: 'alert-rule.' })).entries;
    assert.deepEqual(
      ruleAudit.map((entry) => [entry.action, entry.target, entry.result]),
      [
        ['alert-rule.create', 'other team', 'ok'],
        ['alert-rule.create', 'oom anywhere', 'ok'],
      ],
    );

    // Killed again while the alert fires: deduplicated into it, and no second "fired" POST.
    const again = await cli('start', HOG);
    assert.equal(again.code, 0, again.stderr);
    const deadline = Date.now() + 10_000;
    let repeated = await firing();
    while (repeated[0]?.occurrences !== 2 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      repeated = await firing();
    }
    assert.equal(repeated.length, 1);
    assert.equal(repeated[0]?.id, alert?.id);
    assert.equal(repeated[0]?.occurrences, 2);
    await plane.services.alerts.webhooks.idle();
    assert.equal(
      receiver.received.filter((r) => r.body.event === 'fired').length,
      2,
      'only the first one (sent twice)',
    );

    const viewerPanel = await plane.callerAs(users.viewer).alerts.panel();
    assert.equal(viewerPanel.firingCount, 1);
    assert.equal(viewerPanel.firing[0]?.id, alert?.id);

    // The condition clears: a minute without another OOM kill.
    await plane.services.alerts.evaluator.tick(Date.now() + 61_000);
    await plane.services.alerts.store.flush();
    assert.equal((await firing()).length, 0);
    const [resolved] = await admin().alerts.list({ state: 'resolved' });
    assert.equal(resolved?.id, alert?.id);
    assert.ok(resolved?.resolvedAt, 'resolved with a time');
    assert.equal(resolved?.details.resolution, 'no OOM kill for 1 min');
    await waitFor(() => receiver.received.some((r) => r.body.event === 'resolved'), 10_000);
    const resolvedPost = receiver.received.find((r) => r.body.event === 'resolved');
    assert.equal(resolvedPost?.body.alert.state, 'resolved');
    assert.equal(resolvedPost?.body.alert.resolvedAt, resolved?.resolvedAt);
    const panel = await admin().alerts.panel();
    assert.equal(panel.firingCount, 0);
    assert.equal(panel.recentlyResolved[0]?.id, alert?.id);
  });

  test('a firing alert survives a restart of the server: the next OOM kill is deduplicated into it', async () => {
    const run = await cli('start', HOG);
    assert.equal(run.code, 0, run.stderr);
    await waitFor(() => receiver.received.filter((r) => r.body.event === 'fired').length >= 3, 15_000);
    const [before] = await firing();
    assert.ok(before, 'a new alert fires after the last one resolved');

    await plane.close();
    plane = createControlPlane(t.db, FAST);
    await plane.services.hosts.connectAll();
    await plane.services.alerts.ready;
    await waitFor(() => plane.hub.status(hostId).state === 'online');
    assert.equal(
      plane.services.alerts.store.isFiring(before.ruleId, `${hostId}/${before.target.containerId}`),
      true,
    );

    const again = await cli('start', HOG);
    assert.equal(again.code, 0, again.stderr);
    const deadline = Date.now() + 10_000;
    let after = await firing();
    while (after[0]?.occurrences !== 2 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      after = await firing();
    }
    assert.equal(after.length, 1);
    assert.equal(after[0]?.id, before.id, 'the same alert, not a new one');
    assert.equal(after[0]?.occurrences, 2);
  });
  test('a host offline fires a host alert, sent to the webhooks; it resolves when the agent is back', async () => {
    const rule = await admin().alerts.createRule({
      name: 'box offline',
      condition: { kind: 'host-offline', forSeconds: 0 },
      hostIds: [hostId],
    });
    const hostAlerts = async (state: 'firing' | 'resolved') =>
      (await admin().alerts.list({ state, ruleId: rule.id })).filter((a) => a.kind === 'host-offline');
    await agent.kill();
    await waitFor(() => plane.hub.status(hostId).state === 'offline', 15_000);
    const deadline = Date.now() + 10_000;
    let fired = await hostAlerts('firing');
    while (fired.length === 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      fired = await hostAlerts('firing');
    }
    assert.equal(fired.length, 1);
    assert.deepEqual(fired[0]?.target, {
      hostId,
      hostName: 'al-box',
      containerId: null,
      containerName: null,
    });
    assert.equal(fired[0]?.summary, 'host al-box is offline');

    await agent.restart();
    await waitFor(() => plane.hub.status(hostId).state === 'online', 20_000);
    const back = Date.now() + 10_000;
    while ((await hostAlerts('resolved')).length === 0 && Date.now() < back)
      await new Promise((r) => setTimeout(r, 100));
    const [resolved] = await hostAlerts('resolved');
    assert.equal(resolved?.id, fired[0]?.id);
    assert.equal(resolved?.details.resolution, 'host al-box is online');
    await plane.services.alerts.webhooks.idle();
    // The receiver takes only the OOM rule's alerts; the catch-all webhook gets both transitions.
    assert.equal(receiver.received.filter((r) => r.body.rule.id === rule.id).length, 0);
    assert.deepEqual(
      [...new Set(failing.received.filter((r) => r.body.rule.id === rule.id).map((r) => r.body.event))],
      ['fired', 'resolved'],
    );
  });
});
