import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { runCli } from '../apps/agent/test/harness/cli-process';
import {
  REGISTRY_PASSWORD,
  REGISTRY_USER,
  startRegistry,
  type TestRegistry,
} from '../apps/agent/test/harness/registry';
import { type PushedImage, pushBusybox } from '../apps/agent/test/harness/test-images';
import { ADMIN, expect, test } from './fixtures';
import { logIn } from './helpers';
import { saveScreens } from './screens';

// The host's Images tab beyond pulls: save as a download and load from an upload (a real tar
// round-trip through the browser), a bad upload's refusal, tag then push to a registry with
// progress to done, prune with its preview then its result, and registry logins with logout
// against docker-registry with htpasswd auth.
test.describe.configure({ mode: 'serial' });
// Images are counted and removed here: this file has its own stack.
test.use({ stackName: 'images2' });

let registry: TestRegistry;
let privateRegistry: TestRegistry;
let busybox: PushedImage;
const dir = mkdtempSync(join(tmpdir(), 'stevedore-e2e-archives-'));

test.beforeAll(async ({ workerStack }) => {
  [registry, privateRegistry] = await Promise.all([startRegistry(), startRegistry({ htpasswd: true })]);
  busybox = await pushBusybox(registry);
  const pulled = await runCli(['-H', workerStack.agent.host, 'pull', '-q', busybox.reference]);
  expect(pulled.code, pulled.stderr).toBe(0);
});
test.afterAll(async () => {
  await registry?.stop();
  await privateRegistry?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function openImages(page: Page) {
  await page.goto('/hosts');
  await page.getByTestId('host-row-local').getByRole('link', { name: 'local' }).click();
  await page.getByRole('navigation', { name: 'Host' }).getByRole('link', { name: 'Images' }).click();
  await expect(page.getByRole('heading', { name: 'Images' })).toBeVisible();
}

test('save downloads a tar; after rmi, loading it brings the same image back; a bad file is refused', async ({
  page,
  stack,
}) => {
  await logIn(page, stack.web, ADMIN.username, ADMIN.password);
  await openImages(page);
  const row = page.getByTestId('image-row').filter({ hasText: 'library/busybox' });
  await expect(row).toBeVisible();
  const id = (await row.textContent())?.match(/[0-9a-f]{12}/)?.[0];
  expect(id).toBeTruthy();

  await page.getByRole('button', { name: `Save ${busybox.reference}` }).click();
  const save = page.getByRole('dialog', { name: 'Save images' });
  await expect(save.getByRole('checkbox', { checked: true })).toHaveCount(1);
  await saveScreens(page, 'images-save');
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    save.getByTestId('image-save-download').click(),
  ]);
  expect(download.suggestedFilename()).toMatch(/^127\.0\.0\.1_\d+_library_busybox_latest\.tar$/);
  const archive = join(dir, download.suggestedFilename());
  await download.saveAs(archive);
  expect(readFileSync(archive).subarray(257, 262).toString()).toBe('ustar');
  await save.getByRole('button', { name: 'Close' }).click();

  expect((await runCli(['-H', stack.agent.host, 'rmi', busybox.reference])).code).toBe(0);
  await expect(row).toHaveCount(0);

  await page.getByRole('button', { name: 'Load images' }).click();
  const load = page.getByRole('dialog', { name: 'Load images' });
  await load.getByTestId('image-load-file').setInputFiles(archive);
  await load.getByRole('button', { name: 'Load', exact: true }).click();
  await expect(load.getByTestId('image-load-result')).toContainText(`Loaded 1 image: ${busybox.reference}`, {
    timeout: 30_000,
  });
  await saveScreens(page, 'images-load');
  await expect(row).toContainText(id as string);

  await load.getByTestId('image-load-file').setInputFiles({
    name: 'junk.tar',
    mimeType: 'application/x-tar',
    buffer: Buffer.alloc(4096, 'not a tar archive '),
  });
  await load.getByRole('button', { name: 'Load', exact: true }).click();
  await expect(load.getByTestId('image-load-result')).toContainText(/archive/i);
  await expect(load.getByTestId('image-load-result')).not.toContainText('Loaded');
  await load.getByRole('button', { name: 'Close' }).click();
});

test('tag, then push to the registry with progress to done; prune shows its preview, then its result', async ({
  page,
  stack,
}) => {
  await logIn(page, stack.web, ADMIN.username, ADMIN.password);
  await openImages(page);
  const pushed = `${registry.host}/team/copy:1`;
  await page.getByRole('button', { name: `Tag ${busybox.reference}` }).click();
  const tag = page.getByRole('dialog', { name: 'Tag image' });
  await tag.getByLabel('Repository:tag').fill(pushed);
  await tag.getByRole('button', { name: 'Tag', exact: true }).click();
  await expect(page.getByTestId('image-row').filter({ hasText: 'team/copy' })).toBeVisible();

  await page.getByRole('button', { name: `Push ${pushed}` }).click();
  const push = page.getByRole('dialog', { name: 'Push image' });
  await push.getByRole('button', { name: 'Push', exact: true }).click();
  await expect(push.getByText(/^Pushed: sha256:[0-9a-f]{64}$/)).toBeVisible({ timeout: 30_000 });
  const bars = push.getByRole('progressbar');
  expect(await bars.count()).toBeGreaterThan(0);
  await push.getByRole('button', { name: 'Close' }).click();
  const manifest = await fetch(`${registry.url}/v2/team/copy/manifests/1`, {
    headers: {
      accept:
        'application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json',
    },
  });
  expect(manifest.status).toBe(200);

  // Only names: nothing dangling, so the preview says nothing goes; with "all", both names' image
  // is still unused by containers and would go.
  await page.getByRole('button', { name: 'Prune' }).click();
  const prune = page.getByRole('dialog', { name: 'Prune images' });
  await expect(prune.getByTestId('prune-preview')).toContainText('Nothing would be removed');
  await prune.getByLabel(/Also images with a name/).check();
  await expect(prune.getByTestId('prune-preview')).toContainText('1 image goes');
  await prune.getByRole('button', { name: 'Remove 1 image' }).click();
  await expect(page.getByText(/Pruned \d+ layers and images, freed/)).toBeVisible();
  await expect(page.getByTestId('image-row')).toHaveCount(0);
});

test('registry logins: none, then one after logging in (never the password), then none after logout', async ({
  page,
  stack,
}) => {
  await logIn(page, stack.web, ADMIN.username, ADMIN.password);
  await openImages(page);
  await page.getByRole('button', { name: 'Registry logins' }).click();
  const logins = page.getByRole('dialog', { name: 'Registry logins' });
  await expect(logins).toContainText('Not logged in to any registry');
  await logins.getByRole('button', { name: 'Log in to a registry' }).click();
  const form = page.getByRole('dialog', { name: 'Log in to a registry' });
  await form.getByLabel('Registry').fill(privateRegistry.host);
  await form.getByLabel('Username').fill(REGISTRY_USER);
  await form.getByLabel('Password or token').fill('not the password');
  await form.getByRole('button', { name: 'Log in', exact: true }).click();
  await expect(form.getByRole('alert')).toContainText(/.+/);
  await form.getByLabel('Password or token').fill(REGISTRY_PASSWORD);
  await form.getByRole('button', { name: 'Log in', exact: true }).click();
  await expect(logins.getByTestId('registry-logins')).toHaveText(new RegExp(privateRegistry.host));
  await expect(logins).not.toContainText(REGISTRY_PASSWORD);
  await saveScreens(page, 'images-logins');
  await logins.getByRole('button', { name: `Log out of ${privateRegistry.host}` }).click();
  await expect(logins).toContainText('Not logged in to any registry');
  await expect(page.getByText(`Logged out of ${privateRegistry.host}`)).toBeVisible();
});
