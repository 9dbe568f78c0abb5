import type { Page } from '@playwright/test';
import { runCli } from '../apps/agent/test/harness/cli-process';
import { startRegistry, type TestRegistry } from '../apps/agent/test/harness/registry';
import { pushBusybox } from '../apps/agent/test/harness/test-images';
import { ADMIN, expect, test } from './fixtures';
import { logIn } from './helpers';
import { saveScreens } from './screens';

test.describe.configure({ mode: 'serial' });

const HEALTHY = 'health-ok';
const UNHEALTHY = 'health-bad';
const FROM_FORM = 'health-form';

let registry: TestRegistry | undefined;
let agentHost = '';
let image = '';

async function cli(args: string[]) {
  const result = await runCli(['-H', agentHost, ...args]);
  expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(0);
  return result.stdout.trim();
}

test.beforeAll(async ({ workerStack }) => {
  agentHost = workerStack.agent.host;
  registry = await startRegistry();
  image = (await pushBusybox(registry)).reference;
  await cli(['pull', '-q', image]);
  const probe = ['--health-interval', '500ms', '--health-retries', '1'];
  await cli([
    'run',
    '-d',
    '--name',
    HEALTHY,
    '--health-cmd',
    'echo all good',
    ...probe,
    image,
    'sleep',
    '600',
  ]);
  await cli([
    'run',
    '-d',
    '--name',
    UNHEALTHY,
    '--health-cmd',
    'echo database down; exit 1',
    ...probe,
    image,
    'sleep',
    '600',
  ]);
});

test.afterAll(async () => {
  try {
    if (agentHost) await runCli(['-H', agentHost, 'rm', '-f', HEALTHY, UNHEALTHY, FROM_FORM]);
  } finally {
    await registry?.stop();
  }
});

const row = (page: Page, name: string) => page.getByTestId(`container-row-${name}`);

test('the containers list shows healthy and unhealthy next to the state', async ({ page, stack }) => {
  await logIn(page, stack.web, ADMIN.username, ADMIN.password);
  await page.getByRole('link', { name: 'Containers', exact: true }).click();
  await expect(page).toHaveURL(/\/containers$/);
  await expect(row(page, HEALTHY).getByTestId('container-health')).toHaveText('healthy', { timeout: 15_000 });
  await expect(row(page, UNHEALTHY).getByTestId('container-health')).toHaveText('unhealthy', {
    timeout: 15_000,
  });
  await saveScreens(page, 'containers-health');
  await page.getByRole('combobox', { name: /^Health/ }).selectOption('unhealthy');
  await expect(row(page, UNHEALTHY)).toBeVisible();
  await expect(row(page, HEALTHY)).toHaveCount(0);
  await page.getByRole('combobox', { name: /^Health/ }).selectOption('healthy');
  await expect(row(page, HEALTHY)).toBeVisible();
  await expect(row(page, UNHEALTHY)).toHaveCount(0);
});

test("the container page shows the health in its header and the probes' output in the overview", async ({
  page,
  stack,
}) => {
  await logIn(page, stack.web, ADMIN.username, ADMIN.password);
  await page.getByRole('link', { name: 'Containers', exact: true }).click();
  await row(page, UNHEALTHY).getByRole('link', { name: UNHEALTHY }).click();
  await expect(page.getByTestId('container-name')).toHaveText(UNHEALTHY);
  await expect(page.getByTestId('container-page-health')).toHaveText('unhealthy', { timeout: 15_000 });
  const section = page.getByTestId('health-section');
  await expect(section.getByTestId('health-status')).toHaveText('unhealthy');
  await expect(section.getByTestId('health-log').locator('li').first()).toContainText('failed (exit 1)');
  await expect(section.getByTestId('health-log').locator('li').first()).toContainText('database down');
  await saveScreens(page, 'container-health-overview');

  await page.getByRole('link', { name: 'Containers', exact: true }).click();
  await row(page, HEALTHY).getByRole('link', { name: HEALTHY }).click();
  await expect(page.getByTestId('container-name')).toHaveText(HEALTHY);
  await expect(page.getByTestId('container-page-health')).toHaveText('healthy', { timeout: 15_000 });
  await expect(page.getByTestId('health-log').locator('li').first()).toContainText('passed');
  await expect(page.getByTestId('health-log').locator('li').first()).toContainText('all good');
});

test("the run form's Healthcheck section sets --health-* and the new container turns healthy", async ({
  page,
  stack,
}) => {
  await logIn(page, stack.web, ADMIN.username, ADMIN.password);
  await page.goto('/containers/new');
  await page.getByRole('navigation', { name: 'Choose a host' }).getByRole('link', { name: /local/ }).click();
  const form = page.getByRole('form', { name: 'Container settings' });
  await form.getByLabel('Image', { exact: true }).fill(image);
  await form.getByLabel('Name', { exact: true }).fill(FROM_FORM);
  await form.getByLabel('Command', { exact: true }).fill('sleep 600');
  await form.getByText('Healthcheck', { exact: true }).click();
  await form.getByLabel('Health command', { exact: true }).fill('test -d /tmp');
  await form.getByLabel('Interval', { exact: true }).fill('-1s');
  await form.getByRole('button', { name: 'Create and start' }).click();
  await expect(form.getByText('--health-interval cannot be negative')).toBeVisible();
  await form.getByLabel('Interval', { exact: true }).fill('500ms');
  await expect(page.getByTestId('run-command')).toHaveText(
    `stevedore run -d --name ${FROM_FORM} --health-cmd 'test -d /tmp' --health-interval 500ms ${image} sleep 600`,
  );
  await saveScreens(page, 'container-form-health');
  await form.getByRole('button', { name: 'Create and start' }).click();
  await expect(page).toHaveURL(/\/hosts\/[^/]+\/containers\/[0-9a-f]{64}$/);
  await expect(page.getByTestId('container-page-health')).toHaveText('healthy', { timeout: 15_000 });
  const made = JSON.parse(await cli(['inspect', FROM_FORM]))[0];
  expect(made.Config.Healthcheck).toEqual({
    Test: ['CMD-SHELL', 'test -d /tmp'],
    Interval: 500_000_000,
    Timeout: 0,
    StartPeriod: 0,
    StartInterval: 0,
    Retries: 0,
  });
});
