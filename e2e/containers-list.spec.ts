import type { Page } from '@playwright/test';
import { runCli } from '../apps/agent/test/harness/cli-process';
import { startRegistry, type TestRegistry } from '../apps/agent/test/harness/registry';
import { pushBusybox } from '../apps/agent/test/harness/test-images';
import { ADMIN, expect, test } from './fixtures';
import { logIn } from './helpers';
import { saveScreens } from './screens';

test.describe.configure({ mode: 'serial' });

const VIEWER = { username: 'vera', password: 'vera viewer password' };
/** Exits at once on `stop` (a shell as PID 1 ignores SIGTERM unless it traps it). */
const SLEEPER = ['sh', '-c', 'trap "exit 0" TERM; sleep 600 & wait'];
const CONTAINERS = ['burn', 'idle-a', 'idle-b', 'doomed'];

let registry: TestRegistry | undefined;
let agentHost = '';

async function cli(args: string[]) {
  const result = await runCli(['-H', agentHost, ...args]);
  expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(0);
  return result.stdout;
}

test.beforeAll(async ({ workerStack }) => {
  agentHost = workerStack.agent.host;
  registry = await startRegistry();
  const image = await pushBusybox(registry);
  await cli(['pull', '-q', image.reference]);
  await cli(['run', '-d', '--name', 'burn', image.reference, 'sh', '-c', 'while :; do :; done']);
  for (const name of ['idle-a', 'idle-b', 'doomed'])
    await cli(['run', '-d', '--name', name, image.reference, ...SLEEPER]);
});

test.afterAll(async () => {
  try {
    if (agentHost) await runCli(['-H', agentHost, 'rm', '-f', ...CONTAINERS]);
  } finally {
    await registry?.stop();
  }
});

const row = (page: Page, name: string) => page.getByTestId(`container-row-${name}`);
const cpuOf = async (page: Page, name: string) =>
  Number.parseFloat((await row(page, name).getByTestId('container-cpu').textContent()) ?? 'NaN');

test('the fleet list shows live CPU, bulk-stops two containers and removes a running one after confirming', async ({
  page,
  stack,
}) => {
  await logIn(page, stack.web, ADMIN.username, ADMIN.password);
  await page.getByRole('link', { name: 'Containers', exact: true }).click();
  await expect(page).toHaveURL(/\/containers$/);
  await expect(page.getByTestId('containers-count')).toHaveText('4 of 4 containers on 1 host');
  for (const name of CONTAINERS)
    await expect(row(page, name).getByTestId('container-state')).toHaveText('running');

  // The burner's CPU figure arrives pushed, and moves from one second to the next.
  await expect.poll(() => cpuOf(page, 'burn'), { timeout: 15_000 }).toBeGreaterThan(20);
  const seen = new Set<string>();
  await expect
    .poll(
      async () => {
        seen.add((await row(page, 'burn').getByTestId('container-cpu').textContent()) ?? '');
        return seen.size;
      },
      { timeout: 15_000, intervals: [500] },
    )
    .toBeGreaterThan(1);
  expect(await cpuOf(page, 'idle-a')).toBeLessThan(5);

  // Sorting by CPU (descending first) puts the burner on top.
  await page.getByRole('button', { name: 'CPU' }).click();
  await expect(page.locator('tbody tr[data-testid^="container-row-"]').first()).toHaveAttribute(
    'data-testid',
    'container-row-burn',
  );

  // Filters: by name and by state.
  await page.getByLabel('Search').fill('idle');
  await expect(page.getByTestId('containers-count')).toHaveText('2 of 4 containers on 1 host');
  await page.getByLabel('Search').fill('');

  await saveScreens(page, 'containers');

  // Bulk stop of two containers: each row ends stopped, with its own result.
  await row(page, 'idle-a').getByLabel('Select idle-a').check();
  await row(page, 'idle-b').getByLabel('Select idle-b').check();
  await expect(page.getByTestId('bulk-count')).toHaveText('2 selected');
  await page.getByTestId('bulk-bar').getByRole('button', { name: 'stop', exact: true }).click();
  const results = page.getByTestId('bulk-results');
  await expect(results.getByRole('status')).toHaveText('stop: 2 of 2 done');
  await expect(results.getByTestId('bulk-result')).toHaveCount(2);
  await expect(results.locator('[data-testid="bulk-result"][data-ok="true"]')).toHaveCount(2);
  await expect(results).toContainText('local/idle-a');
  await expect(results).toContainText('local/idle-b');
  await expect(row(page, 'idle-a').getByTestId('container-state')).toHaveText('exited');
  await expect(row(page, 'idle-b').getByTestId('container-state')).toHaveText('exited');
  // Stopping a stopped container again fails per container and says why.
  await page.getByTestId('bulk-bar').getByRole('button', { name: 'pause', exact: true }).click();
  await expect(results.getByRole('status')).toHaveText('pause: 0 of 2 done, 2 failed');
  await expect(results.locator('[data-testid="bulk-result"][data-ok="false"]').first()).toContainText(
    'idle-',
  );
  await page.getByRole('button', { name: 'Clear selection' }).click();

  // Remove a running container: confirmed first (cancel keeps it), then force-removed.
  await row(page, 'doomed').getByLabel('Select doomed').check();
  await page.getByTestId('bulk-bar').getByRole('button', { name: 'remove', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Remove 1 container?' });
  await expect(dialog.getByTestId('confirm-force')).toHaveText(
    '1 of them is running and will be killed first.',
  );
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog).toBeHidden();
  await expect(row(page, 'doomed').getByTestId('container-state')).toHaveText('running');
  await page.getByTestId('bulk-bar').getByRole('button', { name: 'remove', exact: true }).click();
  await dialog.getByRole('button', { name: 'Remove' }).click();
  await expect(page.getByTestId('toast-success')).toContainText('remove: doomed');
  await expect(row(page, 'doomed')).toHaveCount(0);
  expect(await cli(['ps', '-a', '--format', '{{.Names}}'])).not.toContain('doomed');

  // A row's own button: start one of the stopped ones again.
  await row(page, 'idle-a').getByRole('button', { name: 'start idle-a' }).click();
  await expect(row(page, 'idle-a').getByTestId('container-state')).toHaveText('running');

  // The host page lists the same containers, for that host only.
  await page.getByRole('link', { name: 'Hosts', exact: true }).click();
  await page.getByTestId('host-row-local').getByRole('link', { name: 'local' }).click();
  await expect(page.getByTestId('containers-count')).toHaveText('3 of 3 containers');
  await expect(row(page, 'burn').getByTestId('container-state')).toHaveText('running');
  await expect.poll(() => cpuOf(page, 'burn'), { timeout: 15_000 }).toBeGreaterThan(20);
  await saveScreens(page, 'host-containers');
});

test('a viewer sees the list without any action, and the server refuses their call', async ({
  page,
  browser,
  stack,
}) => {
  await logIn(page, stack.web, ADMIN.username, ADMIN.password);
  const created = await page.request.post(`${stack.web.baseURL}/api/trpc/users.create`, {
    data: { ...VIEWER, role: 'viewer' },
    headers: { origin: stack.web.baseURL },
  });
  expect(created.status(), await created.text()).toBe(200);
  await page.goto(`${stack.web.baseURL}/hosts`);
  const href = await page
    .getByTestId('host-row-local')
    .getByRole('link', { name: 'local' })
    .getAttribute('href');
  const hostId = /\/hosts\/([^/]+)/.exec(href ?? '')?.[1];
  expect(hostId).toBeTruthy();
  const burnId = (await cli(['inspect', '--format', '{{.Id}}', 'burn'])).trim();

  const context = await browser.newContext();
  try {
    const viewer = await context.newPage();
    await logIn(viewer, stack.web, VIEWER.username, VIEWER.password);
    await viewer.goto(`${stack.web.baseURL}/containers`);
    await expect(row(viewer, 'burn').getByTestId('container-state')).toHaveText('running');
    await expect.poll(() => cpuOf(viewer, 'burn'), { timeout: 15_000 }).toBeGreaterThan(20);
    await expect(viewer.getByRole('checkbox')).toHaveCount(0);
    await expect(viewer.getByRole('button', { name: /^(start|stop|restart|unpause) / })).toHaveCount(0);
    await expect(viewer.getByRole('link', { name: 'Run container' })).toHaveCount(0);

    const refused = await viewer.request.post(`${stack.web.baseURL}/api/trpc/containers.fleet.bulk`, {
      data: { action: 'stop', targets: [{ hostId, container: burnId }] },
      headers: { origin: stack.web.baseURL },
    });
    expect(refused.status()).toBe(403);
    expect(await refused.text()).toContain('this needs the operator role');
    await expect(row(viewer, 'burn').getByTestId('container-state')).toHaveText('running');
  } finally {
    await context.close();
  }
  expect(await cli(['inspect', '--format', '{{.State.Status}}', 'burn'])).toContain('running');
});
