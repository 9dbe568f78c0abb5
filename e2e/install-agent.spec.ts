import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { type AgentProcess, startAgent } from '../apps/agent/test/harness/agent-process';
import { type SshHost, startSshHost } from '../apps/web/test/harness/ssh-host';
import { ADMIN } from './fixtures';
import { startWebServer, type WebServer } from './harness/web-server';
import { fillSshHostForm, logIn } from './helpers';

// A machine with sshd and no agent: the admin installs the agent from the add-host form, watches
// the steps, then adds the host and sees it online. (The "machine" shares this one's filesystem,
// so the installation options point into a temporary directory.)
let local: AgentProcess;
let ssh: SshHost;
let web: WebServer;
let dir: string;

test.beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'stevedore-e2e-install-'));
  local = await startAgent();
  ssh = await startSshHost();
  web = await startWebServer({ localAgentSocket: local.socketPath });
});
test.afterAll(async () => {
  await web?.stop();
  const pidFile = join(dir, 'opt', 'agent.pid');
  if (existsSync(pidFile)) {
    const pid = Number(readFileSync(pidFile, 'utf8'));
    try {
      process.kill(pid, 'SIGTERM');
      for (let i = 0; i < 60; i++) {
        process.kill(pid, 0);
        await new Promise((r) => setTimeout(r, 250));
      }
    } catch {}
  }
  await ssh?.stop();
  await local?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('an admin installs the agent over SSH from the add-host form, then adds the host', async ({ page }) => {
  await logIn(page, web, ADMIN.username, ADMIN.password);
  const form = await fillSshHostForm(page, 'fresh', ssh, join(dir, 'run', 'agent.sock'));
  await form.getByText('Agent installation options').click();
  await form.getByLabel('Install directory').fill(join(dir, 'opt'));
  await form.getByLabel('Data root').fill(join(dir, 'data'));
  await form.getByLabel('Exec root').fill(join(dir, 'exec'));
  await form.getByRole('button', { name: 'Install agent on this host' }).click();

  const panel = page.getByRole('region', { name: 'Installing the agent' });
  await expect(panel.getByTestId('install-step-connect')).toContainText('Connect over SSH');
  await expect(panel.getByRole('status')).toContainText('Agent 0.1.0 installed and answering', {
    timeout: 60_000,
  });
  await expect(panel.getByTestId('install-step-verify')).toContainText('✓');
  await expect(panel).toContainText('will not start again after a reboot');
  await expect(form.getByRole('status').last()).toContainText(`host key ${ssh.hostKeyFingerprint}`);

  await form.getByRole('button', { name: 'Add host', exact: true }).click();
  const row = page.getByTestId('host-row-fresh');
  await expect(row.getByTestId('host-state')).toHaveText('online');
  await expect(row.getByTestId('host-agent')).toContainText('Stevedore 0.1.0');
  await row.getByRole('link', { name: 'fresh' }).click();
  await expect(page.getByTestId('system-info').locator('[data-field="Root Dir"]')).toHaveText(
    join(dir, 'data'),
  );
});
