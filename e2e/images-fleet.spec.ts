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

test('/images: one pull on two hosts with each host’s progress to done, then the image listed once with both hosts', async ({
  page,
  stack,
}) => {
  test.setTimeout(180_000);
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

  // Each host really has it.
  for (const host of [stack.agent.host, second?.host ?? '']) {
    const listed = await runCli(['-H', host, 'images', '--format', '{{.Repository}}:{{.Tag}}']);
    expect(listed.stdout).toContain(image);
  }
});
