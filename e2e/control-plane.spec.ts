import { expect, type Page, test } from '@playwright/test';
import { type AgentProcess, startAgent } from '../apps/agent/test/harness/agent-process';
import { type SshHost, startSshHost } from '../apps/web/test/harness/ssh-host';
import { ADMIN } from './fixtures';
import { startWebServer, type WebServer } from './harness/web-server';

// Its own dashboard and agents (not the shared fixture): this file starts from its own first run.
let local: AgentProcess;
let edge: AgentProcess;
let remote: AgentProcess;
let ssh: SshHost;
let web: WebServer;

test.beforeAll(async () => {
  local = await startAgent();
  edge = await startAgent({ tls: true });
  remote = await startAgent();
  ssh = await startSshHost();
  web = await startWebServer({ localAgentSocket: local.socketPath });
});
test.afterAll(async () => {
  await web?.stop();
  await ssh?.stop();
  await remote?.stop();
  await edge?.stop();
  await local?.stop();
});
test.describe.configure({ mode: 'serial' });

async function logIn(page: Page, username: string, password: string) {
  await page.goto(`${web.baseURL}/login`);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  const setup = page.getByRole('button', { name: 'Create admin and log in' });
  await ((await setup.isVisible()) ? setup : page.getByRole('button', { name: 'Log in' })).click();
  await expect(page).toHaveURL(/\/hosts$/);
}

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
  await page.getByRole('button', { name: 'Add host' }).click();
  const form = page.getByRole('form', { name: 'Add host' });
  await form.getByLabel('SSH (no agent port exposed)').check();
  await form.getByLabel('Name').fill('remote');
  await form.getByLabel('SSH host', { exact: true }).fill(ssh.address);
  await form.getByLabel('Private key').fill(ssh.privateKey);
  await form.getByLabel('Agent socket on the host').fill(remote.socketPath);
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
