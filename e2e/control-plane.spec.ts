import { expect, type Page, test } from '@playwright/test';
import { type AgentProcess, startAgent } from '../apps/agent/test/harness/agent-process';
import { runCli } from '../apps/agent/test/harness/cli-process';
import { startRegistry, type TestRegistry } from '../apps/agent/test/harness/registry';
import { pushBusybox } from '../apps/agent/test/harness/test-images';
import { type SshHost, startSshHost } from '../apps/web/test/harness/ssh-host';
import { ADMIN } from './fixtures';
import { startWebServer, type WebServer } from './harness/web-server';
import { fillSshHostForm, logIn as logInAt } from './helpers';

// Its own dashboard and agents (not the shared fixture): this file starts from its own first run.
let local: AgentProcess;
let edge: AgentProcess;
let remote: AgentProcess;
let ssh: SshHost;
let web: WebServer;
let registry: TestRegistry;
let image: string;

test.beforeAll(async () => {
  local = await startAgent();
  edge = await startAgent({ tls: true });
  remote = await startAgent();
  ssh = await startSshHost();
  web = await startWebServer({ localAgentSocket: local.socketPath });
  registry = await startRegistry();
  image = (await pushBusybox(registry)).reference;
});
test.afterAll(async () => {
  for (const agent of [edge, local]) {
    if (agent) await runCli(['-H', agent.host, 'rm', '-f', 'web1']);
  }
  await registry?.stop();
  await web?.stop();
  await ssh?.stop();
  await remote?.stop();
  await edge?.stop();
  await local?.stop();
});
test.describe.configure({ mode: 'serial' });

const logIn = (page: Page, username: string, password: string) => logInAt(page, web, username, password);

test('an admin adds a TLS host through the form; it shows online beside the local one', async ({ page }) => {
  await logIn(page, ADMIN.username, ADMIN.password);
  await page.getByRole('button', { name: 'Add host' }).click();
  const form = page.getByRole('form', { name: 'Add host' });
  await form.getByLabel('Name').fill('edge');
  await form.getByLabel('Agent URL').fill(edge.tcpUrl!);
  await form.getByLabel('Token', { exact: true }).fill('not-the-right-token-at-all');
  await form.getByLabel(/CA certificate/).fill(edge.caCert!);
  await form.getByRole('button', { name: 'Test connection' }).click();
  await expect(form.getByRole('alert').filter({ hasText: 'refused the token (401)' })).toBeVisible();

  await form.getByLabel('Token', { exact: true }).fill(edge.token!);
  await form.getByRole('button', { name: 'Test connection' }).click();
  await expect(form.getByRole('status')).toContainText('Connected:');
  await form.getByRole('button', { name: 'Add host', exact: true }).click();

  for (const name of ['local', 'edge']) {
    await expect(page.getByTestId(`host-row-${name}`).getByTestId('host-state')).toHaveText('online');
  }
  await page.getByRole('link', { name: 'edge' }).click();
  await expect(page.getByTestId('system-info').locator('[data-field="Root Dir"]')).toHaveText(edge.dataRoot);
});

test('an admin adds a host over SSH: the hub tunnels to its unix socket and it shows online', async ({
  page,
}) => {
  await logIn(page, ADMIN.username, ADMIN.password);
  const form = await fillSshHostForm(page, 'remote', ssh, remote.socketPath);
  await form.getByRole('button', { name: 'Test connection' }).click();
  await expect(form.getByRole('status')).toContainText('Connected:');
  await form.getByRole('button', { name: 'Add host', exact: true }).click();

  for (const name of ['local', 'edge', 'remote']) {
    await expect(page.getByTestId(`host-row-${name}`).getByTestId('host-state')).toHaveText('online');
  }
  await expect(page.getByTestId('host-row-remote')).toContainText(
    `ssh://root@${ssh.address}:22${remote.socketPath}`,
  );
  await page.getByRole('link', { name: 'remote' }).click();
  await expect(page.getByTestId('system-info').locator('[data-field="Root Dir"]')).toHaveText(
    remote.dataRoot,
  );
});

test('an SSH host page shows the pinned key; a changed key is refused until an admin accepts it', async ({
  page,
}) => {
  await logIn(page, ADMIN.username, ADMIN.password);
  await page.getByTestId('host-row-remote').getByRole('link', { name: 'remote' }).click();
  const keyPanel = page.getByRole('region', { name: 'SSH host key' });
  await expect(keyPanel.getByTestId('pinned-host-key')).toHaveText(ssh.hostKeyFingerprint);

  // The machine is reinstalled: a new host key, and its open SSH connections end.
  const rotated = await ssh.rotateHostKey();
  await expect(page.getByTestId('host-last-error')).toContainText(
    `pinned ${ssh.hostKeyFingerprint}, presented ${rotated}`,
    { timeout: 30_000 },
  );
  await expect(page.getByTestId('host-state').first()).not.toHaveText('online');

  await keyPanel.getByRole('button', { name: 'Check host key' }).click();
  await expect(keyPanel.getByTestId('host-key-pinned')).toHaveText(ssh.hostKeyFingerprint);
  await expect(keyPanel.getByTestId('host-key-presented')).toHaveText(rotated);
  await keyPanel.getByRole('button', { name: 'Accept new host key' }).click();
  await expect(keyPanel.getByTestId('pinned-host-key')).toHaveText(rotated);
  await expect(page.getByTestId('host-state').first()).toHaveText('online', { timeout: 30_000 });
});

test('a viewer sees hosts but no admin controls, and the audit log records what the admin did', async ({
  page,
}) => {
  await logIn(page, ADMIN.username, ADMIN.password);
  await page.getByRole('link', { name: 'Users' }).click();
  const form = page.getByRole('form', { name: 'Add user' });
  await form.getByLabel('Username').fill('vera');
  await form.getByLabel('Password').fill('vera password 123');
  await form.getByLabel('Role').selectOption('viewer');
  await form.getByRole('button', { name: 'Add user' }).click();
  await expect(page.getByTestId('user-row-vera')).toBeVisible();

  await page.getByRole('link', { name: 'Audit log' }).click();
  const rows = page.getByTestId('audit-row');
  await expect(
    rows
      .filter({ hasText: 'host.create' })
      .filter({ hasText: 'edge' })
      .filter({ hasText: /^.*ok$/ }),
  ).toHaveCount(1);
  await expect(rows.filter({ hasText: 'user.create' }).filter({ hasText: 'vera' })).toHaveCount(1);
  await expect(page.getByText(edge.token!)).toHaveCount(0);

  await page.getByRole('button', { name: 'Log out' }).click();
  await logIn(page, 'vera', 'vera password 123');
  await expect(page.getByTestId('current-user')).toHaveText('vera · viewer');
  await expect(page.getByTestId('host-row-edge')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Add host' })).toHaveCount(0);
  await expect(page.getByRole('link', { name: 'Users' })).toHaveCount(0);
  // The server refuses too, not only the UI.
  const response = await page.request.get(`${web.baseURL}/api/trpc/users.list`);
  expect(response.status()).toBe(403);
});

test('an admin labels a host and the fleet filters by label; the fleet follows an agent that stops and comes back', async ({
  page,
}) => {
  await logIn(page, ADMIN.username, ADMIN.password);
  await page.getByRole('button', { name: 'Edit edge' }).click();
  const form = page.getByRole('form', { name: 'Edit host edge' });
  await form.getByLabel('Labels').fill('env=prod, bad key!');
  await form.getByRole('button', { name: 'Save host' }).click();
  await expect(form.getByRole('alert')).toContainText('label "bad key!"');
  await form.getByLabel('Labels').fill('env=prod, region=eu');
  await form.getByRole('button', { name: 'Save host' }).click();
  await expect(page.getByTestId('toast-success')).toContainText('Host edge saved');
  await expect(page.getByTestId('host-row-edge').getByTestId('host-labels')).toHaveText(
    /env=prod.*region=eu/,
  );

  await page.getByLabel('Filter by label').selectOption('env=prod');
  await expect(page.locator('[data-testid^="host-row-"]')).toHaveCount(1);
  await expect(page.getByTestId('host-row-edge')).toBeVisible();
  await page.getByLabel('Filter by label').selectOption('');
  await expect(page.locator('[data-testid^="host-row-"]')).toHaveCount(3);
  await expect(page.getByTestId('fleet-summary')).toHaveText('3 of 3 online');

  // The SSH host's agent stops: its row turns offline, live, and comes back when the agent does.
  const state = page.getByTestId('host-row-remote').getByTestId('host-state');
  await expect(state).toHaveText('online');
  await remote.kill('SIGTERM');
  await expect(state).toHaveText('offline');
  await expect(page.getByTestId('fleet-summary')).toHaveText('2 of 3 online');
  await remote.restart();
  await expect(state).toHaveText('online', { timeout: 30_000 });
  await expect(page.getByTestId('host-row-remote').getByTestId('host-cpu')).toContainText('%');
});

test('an operator operates only granted hosts; the fleet event feed shows what happened, live', async ({
  browser,
  page,
}) => {
  const pulled = await runCli([
    '-H',
    edge.host,
    'run',
    '-d',
    '--init',
    '--name',
    'web1',
    image,
    'sleep',
    '300',
  ]);
  expect(pulled.code, pulled.stderr).toBe(0);
  await logIn(page, ADMIN.username, ADMIN.password);
  await page.getByRole('link', { name: 'Users' }).click();
  const form = page.getByRole('form', { name: 'Add user' });
  await form.getByLabel('Username').fill('otto');
  await form.getByLabel('Password').fill('otto password 123');
  await form.getByLabel('Role').selectOption('operator');
  await form.getByRole('button', { name: 'Add user' }).click();
  const grants = page.getByTestId('grants-otto');
  await grants.getByText('no host yet').click();
  await grants.getByLabel('edge').check();
  await expect(page.getByTestId('toast-success')).toContainText('otto may operate 1 host(s)');
  await expect(grants.locator('summary')).toHaveText('edge');

  // The admin watches the fleet's events while the operator works in another browser.
  await page.getByRole('link', { name: 'Events' }).click();
  await page.getByLabel('Actor').fill('web1');
  await expect(page.getByTestId('feed-state')).toHaveText('● live');

  const operatorContext = await browser.newContext();
  const operator = await operatorContext.newPage();
  try {
    await logIn(operator, 'otto', 'otto password 123');
    await operator.getByRole('link', { name: 'local' }).click();
    await expect(operator.getByRole('region', { name: 'Containers' })).toBeVisible();
    await expect(operator.getByRole('button', { name: /^(stop|start) / })).toHaveCount(0);

    await operator.goto(`${web.baseURL}/hosts`);
    await operator.getByRole('link', { name: 'edge' }).click();
    const row = operator.getByTestId('container-row-web1');
    await expect(row.getByTestId('container-state')).toHaveText('running');
    await row.getByRole('button', { name: 'stop web1' }).click();
    await expect(operator.getByTestId('toast-success')).toContainText('stop: ');
    await expect(row.getByTestId('container-state')).toHaveText('exited');
  } finally {
    await operatorContext.close();
  }

  const events = page.getByTestId('event-row').filter({ hasText: 'web1' });
  for (const action of ['create', 'start', 'die', 'stop']) {
    const cell = page.getByRole('cell', { name: action, exact: true });
    await expect(events.filter({ has: cell }).first()).toContainText('edge');
  }
  await page.getByLabel('Host').selectOption({ label: 'local' });
  await expect(page.getByTestId('event-row')).toHaveCount(0);

  await page.getByRole('link', { name: 'Audit log' }).click();
  await expect(
    page.getByTestId('audit-row').filter({ hasText: 'container.stop' }).filter({ hasText: 'otto' }),
  ).toHaveCount(1);
});

test('the theme toggle switches dark mode and remembers it', async ({ page }) => {
  await logIn(page, ADMIN.username, ADMIN.password);
  const html = page.locator('html');
  const background = () =>
    page
      .locator('body')
      .evaluate((body) => body.ownerDocument.defaultView?.getComputedStyle(body).backgroundColor);
  const toggle = page.getByRole('button', { name: /^Theme:/ });
  // Light, dark, system: the light one first, then dark.
  for (let i = 0; i < 3 && !(await toggle.getAttribute('aria-label'))?.startsWith('Theme: light'); i++) {
    await toggle.click();
  }
  await expect(html).not.toHaveClass(/dark/);
  const light = await background();
  await toggle.click();
  await expect(toggle).toHaveAttribute('aria-label', /^Theme: dark/);
  await expect(html).toHaveClass(/dark/);
  await page.reload();
  await expect(html).toHaveClass(/dark/);
  expect(await background()).not.toBe(light);
});
