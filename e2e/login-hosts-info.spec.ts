import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { bytesSize } from '@stevedore/shared';
import { runCli } from '../apps/agent/test/harness/cli-process';
import { startRegistry } from '../apps/agent/test/harness/registry';
import { pushBusybox } from '../apps/agent/test/harness/test-images';
import { ADMIN, expect, test } from './fixtures';

test.describe.configure({ mode: 'serial' });
// The first test is the product's first run: this file gets a stack no other file has used.
test.use({ stackName: 'first-run' });

test('first run: the admin is created, then the local host shows its live state and system info', async ({
  page,
  stack,
}) => {
  await page.goto('/hosts');
  await expect(page).toHaveURL(/\/login\?next=%2Fhosts$/);
  await expect(page.getByRole('heading', { name: 'Create the admin account' })).toBeVisible();

  await page.getByLabel('Username').fill(ADMIN.username);
  await page.getByLabel('Password').fill('short');
  await page.getByLabel('Set-up code').fill(stack.web.setupCode);
  await page.getByRole('button', { name: 'Create admin and log in' }).click();
  // The browser's own minlength check stops a short password before it reaches the server.
  await expect(page).toHaveURL(/\/login/);

  // Without the code the server wrote at start (readable by root only), no admin is created.
  await page.getByLabel('Password').fill(ADMIN.password);
  await page.getByLabel('Set-up code').fill('AAAA-BBBB-CCCC-DDDD');
  await page.getByRole('button', { name: 'Create admin and log in' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'wrong set-up code' })).toBeVisible();
  await expect(page).toHaveURL(/\/login/);
  expect((statSync(join(stack.web.dataDir, 'setup-code')).mode & 0o777).toString(8)).toBe('600');

  await page.getByLabel('Set-up code').fill(stack.web.setupCode);
  await page.getByRole('button', { name: 'Create admin and log in' }).click();
  await expect(page).toHaveURL(/\/hosts$/);
  // The code is spent: its file is gone.
  expect(existsSync(join(stack.web.dataDir, 'setup-code'))).toBe(false);
  await expect(page.getByTestId('current-user')).toHaveText('admin · admin');

  const row = page.getByTestId('host-row-local');
  await expect(row).toBeVisible();
  await expect(row.getByTestId('host-state')).toHaveText('online');
  await expect(row).toContainText(`unix://${stack.agent.socketPath}`);
  // The fleet columns carry the agent's live facts about this machine.
  await expect(row.getByTestId('host-agent')).toContainText('Stevedore 0.1.0');
  await expect(row.getByTestId('host-agent')).toContainText('cgroup v');
  await expect(row.getByTestId('host-memory')).toContainText(`/ ${bytesSize(os.totalmem())}`);
  await expect(row.getByTestId('host-containers')).toHaveText('0 running · 0 stopped');

  await row.getByRole('link', { name: 'local' }).click();
  await expect(page).toHaveURL(/\/hosts\/[a-z0-9]+$/);
  const info = page.getByTestId('system-info');
  await expect(info).toBeVisible();
  // Values the page shows must be the agent's real facts about this machine.
  const runcVersion = /runc version ([^\s]+)/.exec(
    execFileSync('runc', ['--version'], { encoding: 'utf8' }),
  )?.[1];
  await expect(info.locator('[data-field="Root Dir"]')).toHaveText(stack.agent.dataRoot);
  await expect(info.locator('[data-field="Runtimes"]')).toContainText(`runc ${runcVersion}`);
  await expect(info.locator('[data-field="Storage Driver"]')).toHaveText('overlay2');
  await expect(info.locator('[data-field="Insecure Registries"]')).toContainText('127.0.0.0/8');
  await expect(info.locator('[data-field="CPUs"]')).toHaveText(String(os.cpus().length));
});

test('logging out ends the session; logging in again works and a wrong password is refused', async ({
  page,
}) => {
  await page.goto('/login');
  await expect(page.getByRole('heading', { name: 'Log in to Stevedore' })).toBeVisible();
  await page.getByLabel('Username').fill(ADMIN.username);
  await page.getByLabel('Password').fill('wrong password!!');
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'wrong username or password' })).toBeVisible();

  await page.getByLabel('Password').fill(ADMIN.password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page).toHaveURL(/\/hosts$/);

  await page.getByRole('button', { name: 'Log out' }).click();
  await expect(page).toHaveURL(/\/login$/);
  await page.goto('/hosts');
  await expect(page).toHaveURL(/\/login\?next=/);

  // After logging in, `next` is followed only to a path of this origin: `/\host` is another host to
  // a browser, so it goes to the hosts page instead.
  await page.goto(`/login?next=${encodeURIComponent('/\\evil.example/x')}`);
  await page.getByLabel('Username').fill(ADMIN.username);
  await page.getByLabel('Password').fill(ADMIN.password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page).toHaveURL(/^http:\/\/127\.0\.0\.1:\d+\/hosts$/);
});

test('the host state follows the agent: offline when it stops, online when it is back', async ({
  page,
  stack,
}) => {
  await page.goto('/login');
  await page.getByLabel('Username').fill(ADMIN.username);
  await page.getByLabel('Password').fill(ADMIN.password);
  await page.getByRole('button', { name: 'Log in' }).click();
  const state = page.getByTestId('host-row-local').getByTestId('host-state');
  await expect(state).toHaveText('online');

  await stack.agent.kill('SIGTERM');
  await expect(state).toHaveText('offline');

  await stack.agent.restart();
  await expect(state).toHaveText('online', { timeout: 30_000 });
});

test('images pulled on a host show on its page', async ({ page, stack }) => {
  const registry = await startRegistry();
  try {
    const image = await pushBusybox(registry);
    const pulled = await runCli(['-H', stack.agent.host, 'pull', '-q', image.reference]);
    expect(pulled.code, pulled.stderr).toBe(0);

    await page.goto('/login');
    await page.getByLabel('Username').fill(ADMIN.username);
    await page.getByLabel('Password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByTestId('host-row-local').getByRole('link', { name: 'local' }).click();
    await page.getByRole('navigation', { name: 'Host' }).getByRole('link', { name: 'Images' }).click();
    const row = page.locator(
      `[data-testid="image-row"][data-reference="${registry.host}/library/busybox:latest"]`,
    );
    await expect(row).toBeVisible();
    await expect(row).toContainText(image.configDigest.slice(7, 19));
  } finally {
    await registry.stop();
  }
});
