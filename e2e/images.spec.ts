import { randomBytes } from 'node:crypto';
import type { Page } from '@playwright/test';
import { runCli } from '../apps/agent/test/harness/cli-process';
import { startRegistry, type TestRegistry } from '../apps/agent/test/harness/registry';
import {
  busyboxLayer,
  type PushedImage,
  pushBusybox,
  pushImage,
} from '../apps/agent/test/harness/test-images';
import { ADMIN, expect, test } from './fixtures';
import { addUser, logIn } from './helpers';
import { saveScreens } from './screens';

// The host's Images tab in the browser against a real agent and registry: a pull with per-layer
// bars from downloading through extracting to done, an image in use that cannot be removed (and
// why), history and inspect, and a viewer who can read but not act.
test.describe.configure({ mode: 'serial' });
// The image list is counted here: other files' pulls stay on their own stack.
test.use({ stackName: 'images' });

const CONTAINER = 'images-e2e-user';
const VIEWER = { username: 'ivy', password: 'ivy viewer password' };
let registry: TestRegistry;
let busybox: PushedImage;
let big: PushedImage;

test.beforeAll(async () => {
  registry = await startRegistry();
  busybox = await pushBusybox(registry);
  big = await pushImage(registry, 'library/big', 'latest', [
    busyboxLayer(),
    [{ type: 'file', name: 'blob.bin', content: randomBytes(24 << 20) }],
  ]);
});
test.afterAll(async ({ workerStack }) => {
  await runCli(['-H', workerStack.agent.host, 'rm', '-f', CONTAINER]);
  await registry?.stop();
});

async function openImages(page: Page) {
  await page.goto('/hosts');
  await page.getByTestId('host-row-local').getByRole('link', { name: 'local' }).click();
  await page.getByRole('navigation', { name: 'Host' }).getByRole('link', { name: 'Images' }).click();
  await expect(page.getByRole('heading', { name: 'Images' })).toBeVisible();
}

test('the empty tab says how to pull; a pull shows each layer from downloading through extracting to done', async ({
  page,
  stack,
}) => {
  await logIn(page, stack.web, ADMIN.username, ADMIN.password);
  await openImages(page);
  await expect(page.getByTestId('images-empty')).toContainText('No images on this host yet');
  await saveScreens(page, 'images-empty');

  await page.getByRole('button', { name: 'Pull image' }).click();
  const dialog = page.getByRole('dialog', { name: 'Pull an image' });
  await dialog.getByLabel('Image reference').fill(big.reference);
  await dialog.getByRole('button', { name: 'Pull', exact: true }).click();
  const progress = dialog.getByTestId('pull-progress');
  await expect(progress).toHaveAttribute('data-stage', 'done', { timeout: 60_000 });
  const layers = dialog.getByTestId('pull-layer');
  await expect(layers).toHaveCount(2);
  for (const layer of await layers.all()) {
    await expect(layer).toHaveAttribute('data-phase', 'done');
    // Every phase the bar showed, in order: it moved through downloading and extracting.
    await expect(layer).toHaveAttribute('data-phases', /^waiting downloading extracting done$/);
  }
  await expect(dialog.getByTestId('pull-overall')).toHaveText('2 of 2 layers done');
  await expect(dialog.getByRole('progressbar', { name: 'Whole pull' })).toHaveAttribute(
    'aria-valuenow',
    '100',
  );
  await saveScreens(page, 'images-pull');
  await dialog.getByRole('button', { name: 'Close' }).click();
  const row = page.getByTestId('image-row').filter({ hasText: 'library/big' });
  await expect(row).toBeVisible();
  await expect(row).toContainText(big.configDigest.slice(7, 19));
});

test('removing an image in use is refused with the container named; history and inspect', async ({
  page,
  stack,
}) => {
  const pulled = await runCli(['-H', stack.agent.host, 'pull', '-q', busybox.reference]);
  expect(pulled.code, pulled.stderr).toBe(0);
  const run = await runCli([
    '-H',
    stack.agent.host,
    'run',
    '-d',
    '--name',
    CONTAINER,
    busybox.reference,
    'sleep',
    '600',
  ]);
  expect(run.code, run.stderr).toBe(0);
  await logIn(page, stack.web, ADMIN.username, ADMIN.password);
  await openImages(page);
  const row = page.getByTestId('image-row').filter({ hasText: 'library/busybox' });
  await expect(row.getByTestId('image-used-by')).toHaveText(CONTAINER);
  await saveScreens(page, 'images');

  await row.getByRole('button', { name: `Remove ${busybox.reference}` }).click();
  const dialog = page.getByRole('dialog', { name: 'Remove image' });
  await expect(dialog).toContainText(`In use by ${CONTAINER}`);
  await dialog.getByRole('button', { name: 'Remove', exact: true }).click();
  await expect(dialog.getByTestId('remove-refused')).toContainText(`in use by ${CONTAINER}`);
  await expect(dialog.getByTestId('remove-refused')).toContainText('must force');
  await saveScreens(page, 'images-remove-refused');
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(row).toBeVisible();

  await row.getByRole('button', { name: `History ${busybox.reference}` }).click();
  const history = page.getByRole('dialog', { name: 'Image history' });
  await expect(history.getByTestId('image-history')).toContainText('stevedore test');
  await saveScreens(page, 'images-history');
  await history.getByRole('button', { name: 'Close' }).click();
  await row.getByRole('button', { name: `Inspect ${busybox.reference}` }).click();
  const inspect = page.getByRole('dialog', { name: 'Image inspect' });
  await expect(inspect.getByTestId('image-inspect')).toContainText(busybox.configDigest);
  await inspect.getByRole('button', { name: 'Close' }).click();
});

test('a viewer reads the images but has no pull or remove, and the server refuses them', async ({
  page,
  stack,
}) => {
  await logIn(page, stack.web, ADMIN.username, ADMIN.password);
  await addUser(page, VIEWER, 'viewer');
  await page.getByRole('button', { name: 'Log out' }).click();

  await logIn(page, stack.web, VIEWER.username, VIEWER.password);
  await openImages(page);
  await expect(page.getByTestId('image-row').filter({ hasText: 'library/busybox' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Pull image' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: /^(Remove|Tag) / })).toHaveCount(0);
  const hostId = page.url().split('/hosts/')[1]?.split('/')[0] ?? '';
  const remove = await page.request.post('/api/trpc/images.remove', {
    data: { hostId, image: busybox.reference, force: true },
  });
  expect(remove.status()).toBe(403);
  const input = encodeURIComponent(JSON.stringify({ hostId, reference: busybox.reference }));
  const pull = await page.request.get(`/api/trpc/images.pull?input=${input}`);
  expect(await pull.text()).toContain('FORBIDDEN');
  const images = await runCli(['-H', stack.agent.host, 'images', '-q']);
  expect(images.stdout).toContain(busybox.configDigest.slice(7, 19));
});
