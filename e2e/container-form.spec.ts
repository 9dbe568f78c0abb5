import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import type { ContainerInspect } from '@stevedore/shared';
import { cliBin, repoRoot } from '../apps/agent/test/harness/agent-process';
import { runCli } from '../apps/agent/test/harness/cli-process';
import { startRegistry, type TestRegistry } from '../apps/agent/test/harness/registry';
import { runToExit } from '../apps/agent/test/harness/run-to-exit';
import { pushBusybox } from '../apps/agent/test/harness/test-images';
import { ADMIN, expect, test } from './fixtures';
import { logIn } from './helpers';
import { saveScreens } from './screens';

test.describe.configure({ mode: 'serial' });

const MiB = 1024 * 1024;
const CONTAINERS = ['form-web', 'form-dup', 'form-edit', 'form-bad'];
let registry: TestRegistry | undefined;
let image = '';
let hostPort = 0;
const bindDir = mkdtempSync(join(os.tmpdir(), 'stevedore-form-'));

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });

async function cli(host: string, args: string[]) {
  const result = await runCli(['-H', host, ...args]);
  expect(result.code, `stevedore ${args.join(' ')}: ${result.stderr}`).toBe(0);
  return result.stdout;
}

async function inspect(host: string, name: string): Promise<ContainerInspect> {
  const [one] = JSON.parse(await cli(host, ['inspect', name])) as ContainerInspect[];
  if (!one) throw new Error(`no inspect for ${name}`);
  return one;
}

/** The settings a container was made with, minus what the engine picks per container. */
function settings(i: ContainerInspect) {
  const { Hostname: _hostname, ...config } = i.Config;
  return { Config: config, HostConfig: i.HostConfig };
}

async function openLocalHostForm(page: Page): Promise<string> {
  await page.goto('/containers/new');
  await page.getByRole('navigation', { name: 'Choose a host' }).getByRole('link', { name: /local/ }).click();
  await expect(page).toHaveURL(/\/containers\/new\?host=/);
  const hostId = new URL(page.url()).searchParams.get('host');
  if (!hostId) throw new Error('no host in the URL');
  await expect(page.getByLabel('Image', { exact: true })).toBeVisible();
  return hostId;
}

test.beforeAll(async ({ workerStack }) => {
  registry = await startRegistry();
  image = (await pushBusybox(registry)).reference;
  await cli(workerStack.agent.host, ['pull', '-q', image]);
  hostPort = await freePort();
});

test.afterAll(async ({ workerStack }) => {
  const host = workerStack.agent.host;
  for (const name of CONTAINERS) await runCli(['-H', host, 'rm', '-f', name]);
  await runCli(['-H', host, 'network', 'rm', 'formnet']);
  await runCli(['-H', host, 'volume', 'rm', 'form-vol']);
  await registry?.stop();
  rmSync(bindDir, { recursive: true, force: true });
});

test('run from the form: limits, env, a port and a volume reach the engine; the shown command makes the same container', async ({
  page,
  stack,
}) => {
  const host = stack.agent.host;
  await logIn(page, stack.web, ADMIN.username, ADMIN.password);
  await openLocalHostForm(page);
  const form = page.getByRole('form', { name: 'Container settings' });
  await form.getByLabel('Image', { exact: true }).fill(image);
  await form.getByLabel('Name', { exact: true }).fill('form-web');
  await form.getByLabel('Command', { exact: true }).fill(`sh -c 'echo "$GREETING"; sleep 1000'`);
  await form.getByRole('button', { name: 'Add environment' }).click();
  await form.getByLabel('Environment 1 key').fill('GREETING');
  await form.getByLabel('Environment 1 value').fill("it's here");
  await form.getByRole('button', { name: 'Add published port' }).click();
  await form.getByLabel('Port 1 host port').fill(String(hostPort));
  await form.getByLabel('Port 1 container port').fill('80');
  await form.getByRole('button', { name: 'Add volume' }).click();
  await form.getByLabel('Volume 1 source').fill('form-vol');
  await form.getByLabel('Volume 1 target').fill('/data');
  await form.getByText('Resources').click();
  await form.getByLabel('Memory limit', { exact: true }).fill('64m');
  await form.getByLabel('CPUs', { exact: true }).fill('0.5');

  const command = page.getByTestId('run-command');
  await expect(command).toHaveText(
    `stevedore run -d --name form-web --env 'GREETING=it'\\''s here' --volume form-vol:/data --publish ${hostPort}:80 --memory 64m --cpus 0.5 ${image} sh -c 'echo "$GREETING"; sleep 1000'`,
  );
  const line = (await command.textContent()) ?? '';
  await saveScreens(page, 'container-form');
  await form.getByRole('button', { name: 'Create and start' }).click();
  await expect(page).toHaveURL(/\/hosts\/[^/]+\/containers\/[0-9a-f]{64}$/);

  const made = await inspect(host, 'form-web');
  expect(made.State.Running).toBe(true);
  expect(made.HostConfig.Memory).toBe(64 * MiB);
  expect(made.HostConfig.NanoCpus).toBe(500_000_000);
  expect(made.Config.Env).toContain("GREETING=it's here");
  expect(made.HostConfig.PortBindings).toEqual({ '80/tcp': [{ HostIp: '', HostPort: String(hostPort) }] });
  expect(made.HostConfig.Binds).toEqual(['form-vol:/data']);
  expect(made.Mounts.find((m) => m.Destination === '/data')?.Name).toBe('form-vol');
  expect(made.Config.Cmd).toEqual(['sh', '-c', 'echo "$GREETING"; sleep 1000']);
  expect(page.url()).toContain(made.Id);

  // The copied line, pasted into a real shell with the real CLI, makes the very same container.
  await cli(host, ['rm', '-f', 'form-web']);
  const shell = await runToExit('bash', ['-c', `stevedore() { "${cliBin}" -H "${host}" "$@"; }; ${line}`], {
    cwd: repoRoot,
    timeoutMs: 30_000,
    what: line,
  });
  expect(shell.code, shell.stderr).toBe(0);
  expect(settings(await inspect(host, 'form-web'))).toEqual(settings(made));
});

test('duplicate with a changed env: the port conflict is flagged first, then only Env and the name differ', async ({
  page,
  stack,
}) => {
  const host = stack.agent.host;
  await logIn(page, stack.web, ADMIN.username, ADMIN.password);
  const hostId = await openLocalHostForm(page);
  await page.goto(`/containers/new?host=${hostId}&from=form-web`);
  const form = page.getByRole('form', { name: 'Container settings' });
  await expect(form.getByLabel('Image', { exact: true })).toHaveValue(image);
  await expect(form.getByLabel('Name', { exact: true })).toHaveValue('');
  await form.getByLabel('Name', { exact: true }).fill('form-dup');
  await form.getByLabel('Environment 1 value').fill('copied');
  await form.getByRole('button', { name: 'Create and start' }).click();
  // form-web runs and holds the host port: flagged beside the port, nothing created.
  await expect(
    form.getByText(`host port ${hostPort}/tcp is already published by form-web`).first(),
  ).toBeVisible();
  expect((await runCli(['-H', host, 'inspect', 'form-dup'])).code).not.toBe(0);

  await cli(host, ['stop', '-t', '0', 'form-web']);
  await page.reload();
  await expect(form.getByLabel('Image', { exact: true })).toHaveValue(image);
  await form.getByLabel('Name', { exact: true }).fill('form-dup');
  await form.getByLabel('Environment 1 value').fill('copied');
  await form.getByLabel('Create only (do not start)').check();
  await form.getByRole('button', { name: 'Create', exact: true }).click();
  await expect(page).toHaveURL(/\/containers\/[0-9a-f]{64}$/);

  const original = settings(await inspect(host, 'form-web'));
  const copy = await inspect(host, 'form-dup');
  expect(copy.Name).toBe('/form-dup');
  expect(copy.Config.Env).toContain('GREETING=copied');
  expect(copy.Config.Env).not.toContain("GREETING=it's here");
  const { Env: copyEnv, ...copyConfig } = settings(copy).Config;
  const { Env: originalEnv, ...originalConfig } = original.Config;
  expect(copyEnv).not.toEqual(originalEnv);
  expect(copyConfig).toEqual(originalConfig);
  expect(settings(copy).HostConfig).toEqual(original.HostConfig);
});

test('edit → recreate keeps a bind mode, network aliases and log options; the diff says what needs a recreate', async ({
  page,
  stack,
}) => {
  test.setTimeout(120_000);
  const host = stack.agent.host;
  await cli(host, ['network', 'create', 'formnet']);
  await cli(host, [
    'run',
    '-d',
    '--name',
    'form-edit',
    '--network',
    'formnet',
    '--network-alias',
    'edit-alias',
    '--volume',
    `${bindDir}:/conf:ro`,
    '--log-driver',
    'json-file',
    '--log-opt',
    'max-size=1m',
    '--label',
    'keep=me',
    '--memory',
    '32m',
    '--stop-signal',
    'SIGQUIT',
    // sleep as PID 1 ignores the stop signal: the recreate's stop waits this long, not 10 s.
    '--stop-timeout',
    '2',
    '--security-opt',
    'no-new-privileges',
    image,
    'sleep',
    '1000',
  ]);
  const before = await inspect(host, 'form-edit');
  await logIn(page, stack.web, ADMIN.username, ADMIN.password);
  const hostId = await openLocalHostForm(page);
  await page.goto(`/hosts/${hostId}/containers/${before.Id}/edit`);
  const form = page.getByRole('form', { name: 'Container settings' });
  await expect(form.getByLabel('Image', { exact: true })).toHaveValue(image);
  await expect(form.getByLabel('Memory limit', { exact: true })).toHaveValue('32m');
  await form.getByRole('button', { name: 'Add environment' }).click();
  const rows = await form.getByLabel(/^Environment \d+ key$/).count();
  await form.getByLabel(`Environment ${rows} key`).fill('ADDED');
  await form.getByLabel(`Environment ${rows} value`).fill('yes');
  await form.getByLabel('Memory limit', { exact: true }).fill('48m');
  // The command is the whole container's, settings the form does not show included.
  await expect(page.getByTestId('run-command')).toContainText('--stop-signal SIGQUIT');
  await expect(page.getByTestId('run-command')).toContainText('--security-opt no-new-privileges');
  await expect(page.getByTestId('run-command')).toContainText('--env ADDED=yes');
  await expect(page.getByTestId('run-command')).toContainText('--memory 48m');
  await form.getByRole('button', { name: 'Review changes' }).click();

  const diff = page.getByTestId('edit-diff');
  await expect(diff.getByRole('row', { name: /Environment/ })).toContainText('recreate');
  await expect(diff.getByRole('row', { name: /Memory limit/ })).toContainText('32m');
  await expect(diff.getByRole('row', { name: /Memory limit/ })).toContainText('live');
  await saveScreens(page, 'container-edit-diff');
  await page.getByRole('button', { name: 'Recreate and apply' }).click();
  await expect(page).toHaveURL(/\/containers\/[0-9a-f]{64}$/);

  const after = await inspect(host, 'form-edit');
  expect(after.Id).not.toBe(before.Id);
  expect(after.State.Running).toBe(true);
  expect(after.HostConfig.Binds).toEqual([`${bindDir}:/conf:ro`]);
  expect(after.Mounts.find((m) => m.Destination === '/conf')?.RW).toBe(false);
  expect(after.NetworkSettings.Networks.formnet?.Aliases).toEqual(['edit-alias']);
  expect(after.HostConfig.LogConfig).toEqual({ Type: 'json-file', Config: { 'max-size': '1m' } });
  expect(after.Config.StopSignal).toBe('SIGQUIT');
  expect(after.Config.StopTimeout).toBe(2);
  expect(after.HostConfig.SecurityOpt).toEqual(['no-new-privileges']);
  expect(after.Config.Env).toContain('ADDED=yes');
  expect(after.HostConfig.Memory).toBe(48 * MiB);
  const { Env: _a, ...afterConfig } = settings(after).Config;
  const { Env: _b, ...beforeConfig } = settings(before).Config;
  expect(afterConfig).toEqual(beforeConfig);
  expect({ ...after.HostConfig, Memory: 0 }).toEqual({ ...before.HostConfig, Memory: 0 });
  // The old container is gone, the name is the new one's.
  expect((await runCli(['-H', host, 'inspect', before.Id])).code).not.toBe(0);
});

test('invalid input shows the error beside each field and submits nothing', async ({ page, stack }) => {
  const host = stack.agent.host;
  await logIn(page, stack.web, ADMIN.username, ADMIN.password);
  await openLocalHostForm(page);
  const countBefore = (await cli(host, ['ps', '-aq'])).trim().split('\n').filter(Boolean).length;
  const form = page.getByRole('form', { name: 'Container settings' });
  await form.getByLabel('Image', { exact: true }).fill('Bad Image!!');
  await form.getByLabel('Name', { exact: true }).fill('form-bad');
  await form.getByRole('button', { name: 'Add published port' }).click();
  await form.getByLabel('Port 1 host port').fill('99999');
  await form.getByLabel('Port 1 container port').fill('80');
  await form.getByText('Resources').click();
  await form.getByLabel('Memory limit', { exact: true }).fill('12Q');
  await form.getByRole('button', { name: 'Create and start' }).click();

  await expect(page.locator('#cf-memory-error')).toContainText('invalid size "12Q"');
  await expect(form.getByLabel('Memory limit', { exact: true })).toHaveAttribute('aria-invalid', 'true');
  await expect(page.locator('#cf-ports-0-hostPort-error')).toContainText('host port');
  await expect(page.locator('#cf-image-error')).toBeVisible();
  await expect(page.getByTestId('run-command')).toContainText('Fix the fields marked in red');
  await saveScreens(page, 'container-form-errors');
  const countAfter = (await cli(host, ['ps', '-aq'])).trim().split('\n').filter(Boolean).length;
  expect(countAfter).toBe(countBefore);
  expect((await runCli(['-H', host, 'inspect', 'form-bad'])).code).not.toBe(0);
});
