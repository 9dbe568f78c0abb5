import { randomInt } from 'node:crypto';
import type { Page } from '@playwright/test';
import { runCli } from '../apps/agent/test/harness/cli-process';
import { startRegistry, type TestRegistry } from '../apps/agent/test/harness/registry';
import { pushBusybox } from '../apps/agent/test/harness/test-images';
import { ADMIN, expect, test } from './fixtures';
import { logIn } from './helpers';
import { saveScreens } from './screens';

/**
 * The host's Networks and Volumes tabs against a real agent: a network made in the form, a running
 * container connected from the network's inspect, a volume made and refused while in use, and a
 * viewer who sees all of it and can change none of it.
 */

test.describe.configure({ mode: 'serial' });
// Counts networks and volumes: a stack no other file changes.
test.use({ stackName: 'netvol' });

const NETWORK = 'e2e-appnet';
const CONTAINER = 'e2e-netvol-web';
const VOLUME = 'e2e-data';
const VIEWER = { username: 'nora', password: 'nora viewer password' };
const subnet = `10.${randomInt(200, 250)}.${randomInt(0, 255)}`;
let registry: TestRegistry | undefined;
let image = '';
let hostPath = '';

async function cli(host: string, ...args: string[]): Promise<string> {
  const result = await runCli(['-H', host, ...args]);
  expect(result.code, `stevedore ${args.join(' ')}: ${result.stderr}`).toBe(0);
  return result.stdout.trim();
}

async function openTab(page: Page, tab: 'Networks' | 'Volumes'): Promise<void> {
  await page.goto(`${hostPath}/${tab.toLowerCase()}`);
  await expect(page.getByRole('link', { name: tab })).toHaveAttribute('aria-current', 'page');
  await expect(page.getByRole('heading', { name: new RegExp(`^${tab}`) })).toBeVisible();
}

test.beforeAll(async ({ workerStack }) => {
  registry = await startRegistry();
  image = (await pushBusybox(registry)).reference;
  await cli(workerStack.agent.host, 'pull', '-q', image);
  await cli(
    workerStack.agent.host,
    'run',
    '-d',
    '--name',
    CONTAINER,
    image,
    'sh',
    '-c',
    'while :; do sleep 1; done',
  );
});

test.afterAll(async ({ workerStack }) => {
  const host = workerStack.agent.host;
  // Each removal on its own: one that fails (never made) must not keep the others.
  for (const args of [
    ['rm', '-f', CONTAINER],
    ['network', 'rm', NETWORK],
    ['volume', 'rm', VOLUME],
  ]) {
    const result = await runCli(['-H', host, ...args]);
    if (result.code !== 0 && !/no such|not found/i.test(result.stderr)) console.error(result.stderr);
  }
  await registry?.stop();
});

test('create a network in the form, connect a running container, see it in the network’s inspect', async ({
  page,
  stack,
}) => {
  await logIn(page, stack.web, ADMIN.username, ADMIN.password);
  await page.getByTestId('host-row-local').getByRole('link', { name: 'local' }).click();
  await expect(page).toHaveURL(/\/hosts\/[a-z0-9]+$/);
  hostPath = new URL(page.url()).pathname;
  await page.getByRole('link', { name: 'Networks' }).click();
  await expect(page).toHaveURL(`${stack.web.baseURL}${hostPath}/networks`);
  await expect(page.getByTestId('network-row-bridge')).toContainText('built-in');
  await expect(page.getByRole('button', { name: 'Remove network bridge' })).toHaveCount(0);
  await saveScreens(page, 'host-networks');

  await page.getByRole('button', { name: 'Create network' }).click();
  const form = page.getByRole('form', { name: 'Create network' });
  await form.getByLabel('Name').fill(NETWORK);
  // The engine's rules, beside the fields, before anything is sent.
  await form.getByLabel('Subnet').fill(`${subnet}.0/33`);
  await form.getByLabel('Gateway').fill(`10.1.2.3`);
  await form.getByRole('button', { name: 'Create network' }).click();
  await expect(form.getByText('must be an IPv4 subnet such as 172.18.0.0/16')).toBeVisible();
  await form.getByLabel('Subnet').fill(`${subnet}.0/24`);
  await expect(
    form.getByText(`gateway 10.1.2.3 is not a host address of subnet ${subnet}.0/24`),
  ).toBeVisible();
  await saveScreens(page, 'host-network-create');
  await form.getByLabel('Gateway').fill(`${subnet}.1`);
  await form.getByLabel('Labels').fill('team=e2e');
  await form.getByRole('button', { name: 'Create network' }).click();

  // Made: its inspect opens, with no container on it yet.
  const inspect = page.getByTestId('network-inspect');
  await expect(inspect).toContainText(`${subnet}.0/24`);
  await expect(inspect).toContainText('No container is on this network');
  const connect = page.getByRole('form', { name: 'Connect a container' });
  await connect.getByLabel('Container').selectOption({ label: `${CONTAINER} (running)` });
  await connect.getByLabel('Aliases').fill('web');
  await connect.getByLabel('IPv4 address').fill(`${subnet}.77`);
  await connect.getByRole('button', { name: 'Connect' }).click();
  const member = inspect.getByTestId(`network-member-${CONTAINER}`);
  await expect(member.getByTestId('member-address')).toHaveText(`${subnet}.77/24`);
  await expect(member).toContainText('web');
  await expect(member.getByRole('link', { name: CONTAINER })).toHaveAttribute(
    'href',
    new RegExp(`${hostPath}/containers/[0-9a-f]{64}$`),
  );
  await saveScreens(page, 'host-network-inspect');
  // The container has the address the page shows.
  expect(await cli(stack.agent.host, 'exec', CONTAINER, 'ip', 'addr')).toContain(`inet ${subnet}.77/24`);
  await page.keyboard.press('Escape');
  await expect(page.getByTestId(`network-row-${NETWORK}`).getByTestId('network-containers')).toHaveText('1');

  // Removing it with a container on it: said before, refused by the engine with its reason.
  await page.getByRole('button', { name: `Remove network ${NETWORK}` }).click();
  const dialog = page.getByRole('dialog', { name: `Remove network ${NETWORK}?` });
  await expect(dialog.getByTestId('remove-network-members')).toContainText(CONTAINER);
  await dialog.getByRole('button', { name: 'Remove' }).click();
  await expect(dialog.getByRole('alert')).toContainText('has active endpoints (1 container)');
  await dialog.getByRole('button', { name: 'Cancel' }).click();
});

test('create a volume; it is refused while a container uses it', async ({ page, stack }) => {
  await logIn(page, stack.web, ADMIN.username, ADMIN.password);
  await openTab(page, 'Volumes');
  await expect(page.getByText('No volumes on this host.')).toBeVisible();
  await page.getByRole('button', { name: 'Create volume' }).click();
  const form = page.getByRole('form', { name: 'Create volume' });
  await form.getByLabel('Name').fill(VOLUME);
  await form.getByLabel('Labels').fill('backup=nightly');
  await form.getByRole('button', { name: 'Create volume' }).click();
  await expect(page.getByTestId('volume-inspect')).toContainText('backup=nightly');
  await page.keyboard.press('Escape');
  const row = page.getByTestId(`volume-row-${VOLUME}`);
  await expect(row.getByTestId('volume-used-by')).toHaveText('unused');
  await expect(row.getByTestId('volume-size')).toHaveText(/B$/);

  await cli(
    stack.agent.host,
    'run',
    '-d',
    '--name',
    'e2e-volume-user',
    '--network',
    'none',
    '-v',
    `${VOLUME}:/data`,
    image,
    'sleep',
    '600',
  );
  try {
    // The engine's event refreshes the row: no reload.
    await expect(row.getByTestId('volume-used-by')).toHaveText('e2e-volume-user');
    await saveScreens(page, 'host-volumes');
    await page.getByRole('button', { name: `Remove volume ${VOLUME}` }).click();
    const dialog = page.getByRole('dialog', { name: `Remove volume ${VOLUME}?` });
    await expect(dialog.getByTestId('remove-volume-users')).toContainText('e2e-volume-user (running)');
    await dialog.getByRole('button', { name: 'Remove' }).click();
    await expect(dialog.getByRole('alert')).toContainText('volume is in use');
    await saveScreens(page, 'host-volume-remove-refused');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
  } finally {
    await runCli(['-H', stack.agent.host, 'rm', '-f', 'e2e-volume-user']);
  }
  await expect(row.getByTestId('volume-used-by')).toHaveText('unused');
  await page.getByRole('button', { name: 'Prune…' }).click();
  const preview = page.getByTestId('volume-prune-preview');
  await expect(preview).toContainText(VOLUME);
  await expect(preview.getByTestId('prune-reclaimable')).toHaveText(/B$/);
  await saveScreens(page, 'host-volume-prune');
  await page.getByRole('button', { name: 'Cancel' }).click();
});

test('a viewer sees networks and volumes but no control, and the server refuses their changes', async ({
  page,
  browser,
  stack,
}) => {
  // Two sessions and every refusal checked on a shared machine: more than the default minute.
  test.setTimeout(150_000);
  await logIn(page, stack.web, ADMIN.username, ADMIN.password);
  const created = await page.request.post(`${stack.web.baseURL}/api/trpc/users.create`, {
    data: { ...VIEWER, role: 'viewer' },
    headers: { origin: stack.web.baseURL },
  });
  expect(created.status(), await created.text()).toBe(200);
  const hostId = hostPath.split('/').pop() as string;
  const context = await browser.newContext();
  try {
    const viewer = await context.newPage();
    await logIn(viewer, stack.web, VIEWER.username, VIEWER.password);
    await openTab(viewer, 'Networks');
    await expect(viewer.getByTestId(`network-row-${NETWORK}`)).toBeVisible();
    await expect(viewer.getByRole('button', { name: 'Create network' })).toHaveCount(0);
    await expect(viewer.getByRole('button', { name: /^Remove network/ })).toHaveCount(0);
    await viewer.getByRole('button', { name: NETWORK, exact: true }).click();
    await expect(viewer.getByTestId(`network-member-${CONTAINER}`)).toBeVisible();
    await expect(viewer.getByRole('form', { name: 'Connect a container' })).toHaveCount(0);
    await expect(viewer.getByRole('button', { name: /^Disconnect/ })).toHaveCount(0);
    await saveScreens(viewer, 'host-networks-viewer');
    await viewer.keyboard.press('Escape');
    await openTab(viewer, 'Volumes');
    await expect(viewer.getByTestId(`volume-row-${VOLUME}`)).toBeVisible();
    await expect(viewer.getByRole('button', { name: 'Create volume' })).toHaveCount(0);
    await expect(viewer.getByRole('button', { name: /^Remove volume/ })).toHaveCount(0);

    for (const [path, data] of [
      ['networks.disconnect', { hostId, network: NETWORK, container: CONTAINER }],
      ['networks.remove', { hostId, network: NETWORK }],
      ['volumes.remove', { hostId, name: VOLUME }],
      ['volumes.create', { hostId, volume: { Name: 'viewer-made' } }],
    ] as const) {
      const refused = await viewer.request.post(`${stack.web.baseURL}/api/trpc/${path}`, {
        data,
        headers: { origin: stack.web.baseURL },
      });
      expect(refused.status(), path).toBe(403);
      expect(await refused.text()).toContain('this needs the operator role');
    }
  } finally {
    await context.close();
  }
  // Nothing changed on the host.
  const [network] = JSON.parse(await cli(stack.agent.host, 'network', 'inspect', NETWORK)) as {
    Containers: Record<string, unknown>;
  }[];
  expect(Object.keys(network?.Containers ?? {})).toHaveLength(1);
  expect(await cli(stack.agent.host, 'volume', 'ls', '-q')).toBe(VOLUME);

  // The admin cleans up from the page: disconnect, then remove the network.
  await openTab(page, 'Networks');
  await page.getByRole('button', { name: NETWORK, exact: true }).click();
  await page.getByRole('button', { name: `Disconnect ${CONTAINER}` }).click();
  await page
    .getByRole('group', { name: `Disconnect ${CONTAINER}?` })
    .getByRole('button', { name: 'Disconnect' })
    .click();
  await expect(page.getByTestId('network-inspect')).toContainText('No container is on this network');
  await page.keyboard.press('Escape');
  await page.getByRole('button', { name: `Remove network ${NETWORK}` }).click();
  await page
    .getByRole('dialog', { name: `Remove network ${NETWORK}?` })
    .getByRole('button', { name: 'Remove' })
    .click();
  await expect(page.getByTestId(`network-row-${NETWORK}`)).toHaveCount(0);
});
