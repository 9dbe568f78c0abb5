import type { Page } from '@playwright/test';
import { ENGINE_ACTOR } from '@stevedore/shared';
import { runCli } from '../apps/agent/test/harness/cli-process';
import { startRegistry, type TestRegistry } from '../apps/agent/test/harness/registry';
import { pushBusybox } from '../apps/agent/test/harness/test-images';
import { ADMIN, expect, test } from './fixtures';
import { logIn } from './helpers';
import { saveScreens } from './screens';

// What a new user tripped over in issue 19, each in the browser against a real agent: the host page
// refreshing on events, the paused event feed, the audit log, the hosts list at 1280 and 390 px,
// the favicon and logo, the admins-only pages, and the host form's errors.
test.describe.configure({ mode: 'serial' });
// The audit assertions count this file's own actions: other files' pauses and errors stay on their stack.
test.use({ stackName: 'ui-fixes' });

const CONTAINER = 'ui-pause';
const VOLUME = 'ui-paused-vol';
let registry: TestRegistry;
let image: string;

test.beforeAll(async () => {
  registry = await startRegistry();
  image = (await pushBusybox(registry)).reference;
});
test.afterAll(async ({ workerStack }) => {
  await runCli(['-H', workerStack.agent.host, 'rm', '-f', CONTAINER]);
  await runCli(['-H', workerStack.agent.host, 'volume', 'rm', '-f', VOLUME]);
  await registry?.stop();
});

/** True when the page scrolls sideways (something wider than the viewport). */
const overflowsSideways = (page: Page) =>
  page.evaluate<boolean>('document.documentElement.scrollWidth > document.documentElement.clientWidth');

/** The right edge of `name`'s button in the first match, in CSS pixels. */
async function rightEdge(page: Page, testId: string, button: string): Promise<number> {
  const box = await page.getByTestId(testId).getByRole('button', { name: button }).boundingBox();
  if (!box) throw new Error(`${button} in ${testId} is not rendered`);
  return box.x + box.width;
}

test('login shows the logo; the favicon is served; the header carries the logo', async ({ page, stack }) => {
  await page.goto('/login');
  // The first run's form, or the login form when another spec file of this worker made the admin.
  await expect(
    page.getByRole('heading', { name: /Create the admin account|Log in to Stevedore/ }),
  ).toBeVisible();
  await expect(page.locator('main svg').first()).toBeVisible();
  await saveScreens(page, 'login');

  const icon = page.locator('head link[rel="icon"]');
  await expect(icon).toHaveCount(1);
  const href = await icon.getAttribute('href');
  const served = await page.request.get(new URL(href ?? '/missing', stack.web.baseURL).toString());
  expect(served.status()).toBe(200);
  expect(served.headers()['content-type']).toContain('image/svg+xml');

  await logIn(page, stack.web, ADMIN.username, ADMIN.password);
  await expect(
    page.getByRole('banner').getByRole('link', { name: 'Stevedore' }).locator('svg'),
  ).toBeVisible();
});

test('the hosts list shows Edit without scrolling at 1280 px and every figure as a card at 390 px', async ({
  page,
  stack,
}) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  await logIn(page, stack.web, ADMIN.username, ADMIN.password);
  const row = page.getByTestId('host-row-local');
  await expect(row.getByTestId('host-state')).toHaveText('online');
  await expect(row.getByTestId('host-memory')).toContainText('/');
  expect(await rightEdge(page, 'host-row-local', 'Edit local')).toBeLessThanOrEqual(1280);
  expect(await overflowsSideways(page)).toBe(false);
  await saveScreens(page, 'hosts');

  await page.setViewportSize({ width: 390, height: 844 });
  for (const field of [
    'host-state',
    'host-agent',
    'host-cpu',
    'host-memory',
    'host-disk',
    'host-containers',
  ]) {
    await expect(row.getByTestId(field)).toBeInViewport();
  }
  await expect(row.getByText('Memory', { exact: true })).toBeVisible();
  expect(await rightEdge(page, 'host-row-local', 'Edit local')).toBeLessThanOrEqual(390);
  expect(await overflowsSideways(page)).toBe(false);
});

test('the add-host form names the field of a bad URL, and shows the newest failure, not a stale one', async ({
  page,
  stack,
}) => {
  await logIn(page, stack.web, ADMIN.username, ADMIN.password);
  await page.getByRole('button', { name: 'Add host' }).click();
  const form = page.getByRole('form', { name: 'Add host' });
  await form.getByLabel('Name').fill('local');
  await form.getByLabel('Agent URL').fill('not-a-url');
  await form.getByLabel('Token', { exact: true }).fill('a-token-of-enough-length');
  await form.getByRole('button', { name: 'Test connection' }).click();
  await expect(form.getByRole('alert')).toHaveText(
    'Agent URL: must be an https:// URL such as https://10.0.0.5:2376',
  );
  await expect(form.getByLabel('Agent URL')).toHaveAttribute('aria-invalid', 'true');

  // The save fails for its own reason (the name is taken)…
  await form.getByLabel('Agent URL').fill('https://127.0.0.1:9');
  await form.getByRole('button', { name: 'Add host', exact: true }).click();
  await expect(form.getByRole('alert')).toContainText('a host named "local" already exists');
  // …then a test of the connection fails: that newer failure is what shows.
  await form.getByRole('button', { name: 'Test connection' }).click();
  await expect(form.getByRole('alert')).toContainText('Test connection failed:');
  await expect(form.getByRole('alert')).not.toContainText('already exists');
  await expect(form.getByRole('alert')).toHaveCount(1);
});

test("the host page's info and images follow the host's events", async ({ page, stack }) => {
  const cli = async (...args: string[]) => {
    const result = await runCli(['-H', stack.agent.host, ...args], {}, 60_000);
    expect(result.code, result.stderr).toBe(0);
  };
  await cli('pull', '-q', image);
  await cli('run', '-d', '--name', CONTAINER, image, 'sleep', '300');
  await logIn(page, stack.web, ADMIN.username, ADMIN.password);
  await page.getByTestId('host-row-local').getByRole('link', { name: 'local' }).click();
  const containers = page.getByTestId('system-info').locator('[data-field="Containers"]');
  await expect(containers).toContainText('running 1, paused 0');

  await cli('pause', CONTAINER);
  await expect(containers).toContainText('running 0, paused 1');
  await cli('unpause', CONTAINER);
  await expect(containers).toContainText('running 1, paused 0');

  await saveScreens(page, 'host');

  // The list used to be polled every 5 s; now the tag event refreshes it at once.
  await page.getByRole('navigation', { name: 'Host' }).getByRole('link', { name: 'Images' }).click();
  await expect(page.getByTestId('image-row').first()).toBeVisible();
  await cli('tag', image, 'ui-extra:1');
  const tagged = page.locator('[data-testid="image-row"][data-reference$="ui-extra:1"]');
  await expect(tagged).toBeVisible({ timeout: 4_000 });
  // Sizes in binary units, as everywhere else (bytesSize), not the CLI's decimal MB.
  await expect(tagged.getByTestId('image-size')).toHaveText(/^\d[\d.]*(B|KiB|MiB)$/);
});

test('events that arrive while the feed is paused are kept and shown on resume', async ({ page, stack }) => {
  await logIn(page, stack.web, ADMIN.username, ADMIN.password);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Events' }).click();
  await expect(page.getByTestId('feed-state')).toHaveText('● live');
  await page.getByRole('button', { name: 'Pause live' }).click();
  await expect(page.getByTestId('feed-state')).toHaveText('paused');

  const created = await runCli(['-H', stack.agent.host, 'volume', 'create', VOLUME]);
  expect(created.code, created.stderr).toBe(0);
  await expect(page.getByTestId('feed-new')).toHaveText('1 new');
  const row = page.getByTestId('event-row').filter({ hasText: VOLUME });
  await expect(row).toHaveCount(0);

  await page.getByRole('button', { name: 'Resume live' }).click();
  await expect(row).toHaveCount(1);
  await expect(row).toContainText('create');
  await expect(page.getByTestId('feed-new')).toHaveCount(0);
  await saveScreens(page, 'events');
});

test('the audit log names hosts and containers, records CLI actions, filters, and fits the screen', async ({
  page,
  stack,
}) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  await logIn(page, stack.web, ADMIN.username, ADMIN.password);
  await page.goto('/audit');
  const pause = page
    .getByTestId('audit-row')
    .filter({ has: page.locator('[data-field="action"]', { hasText: /^container\.pause$/ }) });
  await expect(pause).toHaveCount(1);
  await expect(pause.locator('[data-field="who"]')).toHaveText(ENGINE_ACTOR);
  await expect(pause.locator('[data-field="host"]')).toHaveText('local');
  await expect(pause.locator('[data-field="target"]')).toHaveText(CONTAINER);
  await expect(pause.locator('[data-field="target"]')).toHaveAttribute('title', /^[0-9a-f]{64}$/);

  // The result column is on screen, with no sideways scrolling.
  const result = await page
    .getByTestId('audit-row')
    .first()
    .locator('[data-field="result"]')
    .last()
    .boundingBox();
  expect(result && result.x + result.width).toBeLessThanOrEqual(1280);
  expect(await overflowsSideways(page)).toBe(false);
  await saveScreens(page, 'audit');
  // At 390 px each entry is a card; a long error stays inside it.
  await page.setViewportSize({ width: 390, height: 844 });
  await expect(page.getByTestId('audit-row').filter({ hasText: 'already exists' })).toBeVisible();
  expect(await overflowsSideways(page)).toBe(false);
  await page.setViewportSize({ width: 1280, height: 800 });

  // Filters run on the server.
  await page.getByLabel('Result').selectOption('error');
  const rows = page.getByTestId('audit-row');
  await expect(rows.filter({ hasText: 'host.create' })).toHaveCount(1);
  await expect(rows.filter({ hasText: 'already exists' })).toHaveCount(1);
  await expect(rows.filter({ hasText: 'container.pause' })).toHaveCount(0);
  await page.getByLabel('Result').selectOption('');
  await page.getByLabel('User').selectOption(ENGINE_ACTOR);
  await page.getByLabel('Action').fill('container.');
  await expect(rows.filter({ hasText: 'container.pause' })).toHaveCount(1);
  await expect(rows.filter({ hasText: 'host.create' })).toHaveCount(0);
  for (const who of await rows.locator('[data-field="who"]').allTextContents())
    expect(who).toBe(ENGINE_ACTOR);

  await page.setViewportSize({ width: 390, height: 844 });
  await expect(pause.locator('[data-field="result"]').first()).toBeInViewport();
  expect(await overflowsSideways(page)).toBe(false);
});

test('a viewer opening /users or /audit is told they are for admins, with no form', async ({
  page,
  browser,
  stack,
}) => {
  await logIn(page, stack.web, ADMIN.username, ADMIN.password);
  await page.goto('/users');
  const add = page.getByRole('form', { name: 'Add user' });
  await add.getByLabel('Username').fill('ui-viewer');
  await add.getByLabel('Password').fill('viewer password 1');
  await add.getByRole('button', { name: 'Add user' }).click();
  await expect(page.getByTestId('user-row-ui-viewer')).toBeVisible();
  await saveScreens(page, 'users');
  // At 390 px each user is a card: the role and Remove stay on screen.
  await page.setViewportSize({ width: 390, height: 844 });
  await expect(page.getByRole('button', { name: 'Remove ui-viewer' })).toBeInViewport();
  await expect(page.getByLabel('Role of ui-viewer')).toBeInViewport();
  expect(await overflowsSideways(page)).toBe(false);

  const context = await browser.newContext({ baseURL: stack.web.baseURL });
  try {
    const viewer = await context.newPage();
    await logIn(viewer, stack.web, 'ui-viewer', 'viewer password 1');
    for (const path of ['/users', '/audit']) {
      await viewer.goto(path);
      await expect(viewer.getByTestId('admins-only')).toContainText('Admins only');
      await expect(viewer.getByRole('form')).toHaveCount(0);
      await expect(viewer.getByRole('textbox')).toHaveCount(0);
    }
  } finally {
    await context.close();
  }
});
