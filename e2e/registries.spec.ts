import type { Page } from '@playwright/test';
import { connectAgentOnce } from '@stevedore/agent-api';
import { type AgentProcess, startAgent } from '../apps/agent/test/harness/agent-process';
import { runCli } from '../apps/agent/test/harness/cli-process';
import { startRegistry, type TestRegistry } from '../apps/agent/test/harness/registry';
import { pushBusybox } from '../apps/agent/test/harness/test-images';
import { ADMIN, expect, test } from './fixtures';
import { logIn } from './helpers';
import { saveScreens } from './screens';

// Registry settings are per agent and the audit rows per dashboard: a stack of this file's own.
test.use({ stackName: 'registries' });
test.describe.configure({ mode: 'serial' });

const VIEWER = { username: 'registry-viewer', password: 'viewer password 1234' };

let upstream: TestRegistry | undefined;
let cache: TestRegistry | undefined;
let second: AgentProcess | undefined;
let image = '';

test.beforeAll(async () => {
  upstream = await startRegistry();
  await pushBusybox(upstream, 'e2e/mirrored', 'v1');
  image = `${upstream.host}/e2e/mirrored:v1`;
  // A second Debian docker-registry, as a pull-through cache of the first.
  cache = await startRegistry({ proxyOf: upstream.url });
  // A second agent, with its own config file and certs.d.
  second = await startAgent({ config: {} });
});

test.afterAll(async ({ workerStack }) => {
  try {
    // The stack's agent is shared with later spec files: the mirror set here goes again.
    if (upstream) {
      const connection = await connectAgentOnce({ host: workerStack.agent.host });
      try {
        await connection.client.registries.set.mutate({
          registry: upstream.host,
          mirrors: [],
          insecure: false,
          ca: null,
        });
      } finally {
        await connection.close();
      }
    }
  } finally {
    await second?.stop();
    await cache?.stop();
    await upstream?.stop();
  }
});

async function api(page: Page, baseURL: string, path: string, data: unknown) {
  return page.request.post(`${baseURL}/api/trpc/${path}`, { data, headers: { origin: baseURL } });
}

async function hostIdOf(page: Page, baseURL: string, name: string): Promise<string> {
  await page.goto(`${baseURL}/hosts`);
  const href = await page.getByTestId(`host-row-${name}`).getByRole('link', { name }).getAttribute('href');
  const id = /\/hosts\/([^/]+)/.exec(href ?? '')?.[1];
  expect(id, `host ${name} is listed`).toBeTruthy();
  return id as string;
}

test('a mirror set on two agents at once (preview, rollout, per-host result); pulls go through it and the host shows which mirror served them', async ({
  page,
  stack,
}) => {
  // Two agents, two pulls and four screens saved three ways each: more than the default minute.
  test.setTimeout(180_000);
  const base = stack.web.baseURL;
  await logIn(page, stack.web, ADMIN.username, ADMIN.password);
  const registered = await api(page, base, 'hosts.create', {
    name: 'second',
    transport: 'unix',
    socketPath: second?.socketPath,
  });
  expect(registered.ok(), await registered.text()).toBe(true);

  await page.getByRole('link', { name: 'Registries' }).click();
  await expect(page.getByRole('heading', { name: 'Registries', level: 1 })).toBeVisible();
  await page.getByLabel('Registry', { exact: true }).fill(upstream?.host ?? '');
  await page.getByLabel('Mirror URLs').fill(cache?.url ?? '');
  await page.getByTestId('rollout-hosts').getByRole('button', { name: 'All' }).click();
  await page.getByRole('button', { name: 'Preview' }).click();
  const rows = page.getByTestId('rollout-row');
  await expect(rows).toHaveCount(2);
  await expect(rows.and(page.locator('[data-result="changes"]'))).toHaveCount(2);
  await expect(rows.first()).toContainText(cache?.url ?? '');
  await saveScreens(page, 'registries-fleet-preview');

  page.once('dialog', (dialog) => void dialog.accept());
  await page.getByRole('button', { name: 'Roll out' }).click();
  await expect(page.getByRole('heading', { name: /Rollout of .*: done/ })).toBeVisible();
  await expect(page.locator('[data-testid="rollout-row"][data-result="applied"]')).toHaveCount(2);
  await saveScreens(page, 'registries-fleet-rollout');

  // Both agents pull through the cache now: the upstream is only reached by the cache.
  for (const host of [stack.agent.host, second?.host ?? '']) {
    const pulled = await runCli(['-H', host, 'pull', '-q', image]);
    expect(pulled.code, pulled.stderr).toBe(0);
  }

  for (const name of ['local', 'second']) {
    const hostId = await hostIdOf(page, base, name);
    await page.goto(`${base}/hosts/${hostId}/registries`);
    const registryRow = page.locator(`[data-testid="registry-row"][data-registry="${upstream?.host}"]`);
    await expect(registryRow.getByTestId('registry-mirrors')).toContainText(cache?.url ?? '');
    const pull = page.getByTestId('recent-pull').first();
    await expect(pull).toContainText(image);
    await expect(pull.getByTestId('pull-endpoint')).toContainText(cache?.url ?? '');
    await expect(pull.getByTestId('pull-endpoint')).toContainText('mirror');
    if (name === 'local') {
      await page.getByRole('button', { name: 'Probe now' }).click();
      const health = page.locator(`[data-testid="mirror-health"][data-url="${cache?.url}"]`);
      await expect(health.getByTestId('mirror-health-state')).toHaveText('up');
      await saveScreens(page, 'host-registries');
      // One registry probed on its own: its mirror first, then itself, each with what it answered.
      await registryRow.getByRole('button', { name: `Probe ${upstream?.host}` }).click();
      const checks = registryRow.getByTestId('endpoint-check');
      await expect(checks).toHaveCount(2);
      await expect(checks.first()).toContainText(cache?.url ?? '');
      await expect(checks.first()).toContainText('mirror');
      await expect(checks.first()).toHaveAttribute('data-reachable', 'yes');
      await expect(checks.nth(1)).toContainText(upstream?.url ?? '');
      await expect(checks.nth(1)).toHaveAttribute('data-reachable', 'yes');
      await saveScreens(page, 'host-registries-probe-one');
      await registryRow.getByRole('button', { name: `Edit ${upstream?.host}` }).click();
      await expect(page.getByTestId('registry-form')).toBeVisible();
      await expect(page.getByLabel('Mirror 1 URL')).toHaveValue(cache?.url ?? '');
      await saveScreens(page, 'host-registries-edit');
      await page.getByRole('button', { name: 'Cancel' }).click();
    }
  }
});

test('a viewer reads registries and mirrors but cannot change anything', async ({ page, browser, stack }) => {
  const base = stack.web.baseURL;
  await logIn(page, stack.web, ADMIN.username, ADMIN.password);
  const created = await api(page, base, 'users.create', { ...VIEWER, role: 'viewer' });
  expect(created.status(), await created.text()).toBe(200);
  const hostId = await hostIdOf(page, base, 'local');

  const context = await browser.newContext();
  try {
    const viewer = await context.newPage();
    await logIn(viewer, stack.web, VIEWER.username, VIEWER.password);
    await viewer.goto(`${base}/hosts/${hostId}/registries`);
    await expect(
      viewer
        .locator(`[data-testid="registry-row"][data-registry="${upstream?.host}"]`)
        .getByTestId('registry-mirrors'),
    ).toContainText(cache?.url ?? '');
    await expect(viewer.getByRole('button', { name: /^Edit / })).toHaveCount(0);
    await expect(viewer.getByRole('button', { name: 'Add registry' })).toHaveCount(0);
    await expect(viewer.getByRole('button', { name: 'Probe now' })).toHaveCount(0);
    await expect(viewer.getByRole('button', { name: /^Probe / })).toHaveCount(0);
    await viewer.goto(`${base}/registries`);
    await expect(viewer.getByText('Only admins change host configuration.')).toBeVisible();
    await expect(viewer.getByRole('button', { name: 'Roll out' })).toHaveCount(0);

    const set = await api(viewer, base, 'registries.set', {
      hostId,
      settings: { registry: upstream?.host, mirrors: [], insecure: false, ca: null },
    });
    expect(set.status()).toBe(403);
    const rollout = await api(viewer, base, 'registries.rollout', {
      target: { kind: 'hosts', hostIds: [hostId] },
      change: { registry: upstream?.host, mirrors: [] },
    });
    expect(rollout.status()).toBe(403);
    const probe = await api(viewer, base, 'registries.probe', { hostId });
    expect(probe.status()).toBe(403);
  } finally {
    await context.close();
  }
  // Nothing changed: the mirror is still there.
  const list = await page.request.get(
    `${base}/api/trpc/registries.list?input=${encodeURIComponent(JSON.stringify({ hostId }))}`,
  );
  expect(await list.text()).toContain(cache?.url ?? '');
});
