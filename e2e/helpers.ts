import { expect, type Locator, type Page } from '@playwright/test';
import type { SshHost } from '../apps/web/test/harness/ssh-host';
import type { WebServer } from './harness/web-server';

/** Logs in to `web`, creating the first admin (with the server's set-up code) when it has none yet. */
export async function logIn(page: Page, web: WebServer, username: string, password: string) {
  await page.goto(`${web.baseURL}/login`);
  await expect(
    page.getByRole('heading', { name: /Create the admin account|Log in to Stevedore/ }),
  ).toBeVisible();
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  const setup = page.getByRole('button', { name: 'Create admin and log in' });
  if (await setup.isVisible()) {
    await page.getByLabel('Set-up code').fill(web.setupCode);
    await setup.click();
  } else {
    await page.getByRole('button', { name: 'Log in' }).click();
  }
  await expect(page).toHaveURL(/\/hosts$/);
}

/** Adds a user in the Users page's form (the page's admin must be logged in) and waits for its row. */
export async function addUser(
  page: Page,
  user: { username: string; password: string },
  role: 'admin' | 'operator' | 'viewer',
) {
  await page.goto('/users');
  const form = page.getByRole('form', { name: 'Add user' });
  await form.getByLabel('Username').fill(user.username);
  await form.getByLabel('Password').fill(user.password);
  await form.getByLabel('Role').selectOption(role);
  await form.getByRole('button', { name: 'Add user' }).click();
  await expect(page.getByTestId(`user-row-${user.username}`)).toBeVisible();
}

/** Opens the add-host form and fills in an SSH connection to `ssh` for the agent at `socketPath`. */
export async function fillSshHostForm(
  page: Page,
  name: string,
  ssh: SshHost,
  socketPath: string,
): Promise<Locator> {
  await page.getByRole('button', { name: 'Add host' }).click();
  const form = page.getByRole('form', { name: 'Add host' });
  await form.getByLabel('SSH (no agent port exposed)').check();
  await form.getByLabel('Name').fill(name);
  await form.getByLabel('SSH host', { exact: true }).fill(ssh.address);
  await form.getByLabel('Private key').fill(ssh.privateKey);
  await form.getByLabel('Agent socket on the host').fill(socketPath);
  return form;
}
