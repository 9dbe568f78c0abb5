import { readFileSync } from 'node:fs';
import { type AgentProcess, startAgent } from '../apps/agent/test/harness/agent-process';
import { runCli } from '../apps/agent/test/harness/cli-process';
import { startRegistry, type TestRegistry } from '../apps/agent/test/harness/registry';
import { pushBusybox } from '../apps/agent/test/harness/test-images';
import { ADMIN, expect, test } from './fixtures';
import { logIn } from './helpers';
import { saveScreens } from './screens';

// Images on two hosts: a stack of this file's own (its image counts are asserted).
test.use({ stackName: 'images-fleet' });

let registry: TestRegistry | undefined;
let second: AgentProcess | undefined;
let image = '';

test.beforeAll(async () => {
  registry = await startRegistry();
  image = (await pushBusybox(registry, 'e2e/fleet-pulled', 'v1')).reference;
  second = await startAgent({ config: {} });
});

test.afterAll(async ({ workerStack }) => {
  try {
    await runCli(['-H', workerStack.agent.host, 'rmi', '-f', image]);
  } finally {
    await second?.stop();
    await registry?.stop();
  }
});

test('/images: one pull on two hosts with each host’s progress to done, the image listed once with both hosts (cards at 390 px), saved from the list and loaded back onto one host', async ({
  page,
  stack,
}) => {
  test.setTimeout(240_000);
  const base = stack.web.baseURL;
  await logIn(page, stack.web, ADMIN.username, ADMIN.password);
  const registered = await page.request.post(`${base}/api/trpc/hosts.create`, {
    data: { name: 'second', transport: 'unix', socketPath: second?.socketPath },
    headers: { origin: base },
  });
  expect(registered.ok(), await registered.text()).toBe(true);

  await page.getByRole('link', { name: 'Images' }).first().click();
  const pull = page.getByRole('region', { name: 'Pull on several hosts' });
  await expect(pull.getByRole('checkbox', { name: 'second' })).toBeVisible();
  await pull.getByLabel('Image reference').fill(image);
  await pull.getByRole('checkbox', { name: 'local' }).check();
  await pull.getByRole('checkbox', { name: 'second' }).check();
  await pull.getByRole('button', { name: 'Pull on 2 hosts' }).click();

  const hosts = page.getByTestId('fleet-pull-host');
  await expect(hosts).toHaveCount(2);
  await expect(page.locator('[data-testid="fleet-pull-host"][data-state="done"]')).toHaveCount(2, {
    timeout: 60_000,
  });
  await expect(hosts.first()).toContainText('pulled');

  const row = page.getByTestId('fleet-image-row').filter({ hasText: image });
  await expect(row).toHaveCount(1);
  await expect(row.getByRole('link', { name: 'local' })).toBeVisible();
  await expect(row.getByRole('link', { name: 'second' })).toBeVisible();
  await saveScreens(page, 'images-fleet');

  // At 390 px the images are cards, not a table wider than the screen.
  await page.setViewportSize({ width: 390, height: 844 });
  await expect(page.getByTestId('fleet-image-card').filter({ hasText: image })).toBeVisible();
  await expect(row).toBeHidden();
  expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
  await page.setViewportSize({ width: 1280, height: 720 });

  // Save from the fleet list (from a host that has it), remove it from one host, load it back there.
  await row.getByRole('button', { name: `Save ${image}` }).click();
  const save = page.getByRole('dialog', { name: 'Save images' });
  await expect(save.getByRole('checkbox', { checked: true })).toHaveCount(1);
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    save.getByTestId('image-save-download').click(),
  ]);
  const archive = test.info().outputPath(download.suggestedFilename());
  await download.saveAs(archive);
  expect(readFileSync(archive).subarray(257, 262).toString()).toBe('ustar');
  await save.getByRole('button', { name: 'Close' }).click();

  expect((await runCli(['-H', second?.host ?? '', 'rmi', image])).code).toBe(0);
  await page.reload();
  await expect(row.getByRole('link', { name: 'second' })).toHaveCount(0);
  await page.getByLabel('Load images onto').selectOption({ label: 'second' });
  await page.getByTestId('fleet-load').getByRole('button', { name: 'Load images' }).click();
  const load = page.getByRole('dialog', { name: 'Load images' });
  await load.getByTestId('image-load-file').setInputFiles(archive);
  await load.getByRole('button', { name: 'Load', exact: true }).click();
  await expect(load.getByTestId('image-load-result')).toContainText(`Loaded 1 image: ${image}`, {
    timeout: 30_000,
  });
  await saveScreens(page, 'images-fleet-load');
  await load.getByRole('button', { name: 'Close' }).click();
  await expect(row.getByRole('link', { name: 'second' })).toBeVisible();

  // Each host really has it.
  for (const host of [stack.agent.host, second?.host ?? '']) {
    const listed = await runCli(['-H', host, 'images', '--format', '{{.Repository}}:{{.Tag}}']);
    expect(listed.stdout).toContain(image);
  }
});
