import type { Page } from '@playwright/test';
import { runCli } from '../apps/agent/test/harness/cli-process';
import { startRegistry, type TestRegistry } from '../apps/agent/test/harness/registry';
import { pushBusybox } from '../apps/agent/test/harness/test-images';
import { ADMIN, expect, type Stack, test } from './fixtures';
import { addUser, logIn } from './helpers';
import { saveScreens } from './screens';

test.describe.configure({ mode: 'serial' });

const NAME = 'page-web';
const RENAMED = 'page-web-2';
const VIEWER = { username: 'vic', password: 'vic viewer password' };
// A port above the usual ephemeral range start is unlikely to be taken on a test machine.
const HOST_PORT = 20_000 + Math.floor(Math.random() * 10_000);

let registry: TestRegistry;
let image: string;
let containerId: string;
let hostId: string;

async function cli(stack: Stack, args: string[]) {
  const result = await runCli(['-H', stack.agent.host, ...args]);
  expect(result.code, `stevedore ${args.join(' ')}: ${result.stderr}`).toBe(0);
  return result.stdout.trim();
}

/** The text xterm shows (its DOM renderer's rows), for asserting on what a command really printed. */
const terminalText = async (page: Page) =>
  (await page.getByTestId('console-terminal').locator('.xterm-rows > div').allTextContents())
    .map((row) => row.replaceAll('\u00a0', ' ').trimEnd())
    .join('\n');

test.beforeAll(async ({ workerStack: stack }) => {
  registry = await startRegistry();
  image = (await pushBusybox(registry)).reference;
  await cli(stack, ['pull', '-q', image]);
  containerId = await cli(stack, [
    'run',
    '-d',
    '--name',
    NAME,
    '-e',
    'GREETING=hello there',
    '-e',
    'API_TOKEN=s3cr3t-value',
    '-p',
    `127.0.0.1:${HOST_PORT}:80`,
    '-v',
    'page-data:/data',
    '-l',
    'team=storage',
    image,
    'sleep',
    '3600',
  ]);
});

test.afterAll(async ({ workerStack: stack }) => {
  for (const name of [NAME, RENAMED]) {
    await runCli(['-H', stack.agent.host, 'rm', '-f', '-v', name]);
  }
  await runCli(['-H', stack.agent.host, 'volume', 'rm', '-f', 'page-data']);
  await registry?.stop();
});

async function openContainer(page: Page, stack: Stack, tab = '') {
  if (!hostId) {
    await page.goto('/hosts');
    await page.getByTestId('host-row-local').getByRole('link', { name: 'local' }).click();
    await expect(page).toHaveURL(/\/hosts\/[a-z0-9]+$/);
    hostId = new URL(page.url()).pathname.split('/')[2] ?? '';
  }
  await page.goto(`${stack.web.baseURL}/hosts/${hostId}/containers/${containerId}${tab}`);
}

test('the overview shows the env (secrets masked), ports, mounts and labels; inspect shows the JSON', async ({
  page,
  stack,
}) => {
  await logIn(page, stack.web, ADMIN.username, ADMIN.password);
  await openContainer(page, stack);
  await expect(page.getByTestId('container-name')).toHaveText(NAME);
  await expect(page.getByTestId('container-state')).toHaveText('running');

  const env = page.getByTestId('env-list');
  await expect(env.locator('[data-env="GREETING"]')).toContainText('hello there');
  // A secret-looking value is hidden until revealed.
  const token = env.locator('[data-env="API_TOKEN"]');
  await expect(token).not.toContainText('s3cr3t-value');
  await token.getByRole('button', { name: 'Reveal API_TOKEN' }).click();
  await expect(token).toContainText('s3cr3t-value');

  const port = page.getByTestId('ports').getByRole('link', { name: `127.0.0.1:${HOST_PORT}` });
  await expect(port).toHaveAttribute('href', `http://127.0.0.1:${HOST_PORT}/`);
  await expect(page.getByTestId('ports')).toContainText('80/tcp');
  const mounts = page.getByTestId('mounts');
  await expect(mounts).toContainText('volume');
  await expect(mounts).toContainText('page-data');
  await expect(mounts).toContainText('/data');
  await expect(mounts).toContainText('rw');
  await expect(page.getByTestId('labels')).toContainText('team');
  await expect(page.getByTestId('labels')).toContainText('storage');
  await expect(page.locator('[data-field="Command"]')).toHaveText('sleep 3600');
  await token.getByRole('button', { name: 'Hide API_TOKEN' }).click();
  await saveScreens(page, 'container-overview');

  await page.getByRole('navigation', { name: 'Container' }).getByRole('link', { name: 'Inspect' }).click();
  await expect(page).toHaveURL(/\/inspect$/);
  await expect(
    page.getByRole('navigation', { name: 'Container' }).getByRole('link', { name: 'Inspect' }),
  ).toHaveAttribute('aria-current', 'page');
  const json = JSON.parse((await page.getByTestId('inspect-json').textContent()) ?? '') as {
    Id: string;
    Config: { Env: string[] };
  };
  expect(json.Id).toBe(containerId);
  expect(json.Config.Env).toContain('GREETING=hello there');
  await expect(page.getByRole('button', { name: 'Copy JSON' })).toBeVisible();
  await saveScreens(page, 'container-inspect');
});

test('processes lists the main process; events show the container’s history', async ({ page, stack }) => {
  await logIn(page, stack.web, ADMIN.username, ADMIN.password);
  await openContainer(page, stack, '/processes');
  const rows = page.getByTestId('process-row');
  await expect(rows.filter({ hasText: 'sleep 3600' })).toHaveCount(1);
  await page.getByRole('button', { name: 'Refresh' }).click();
  await expect(rows.filter({ hasText: 'sleep 3600' })).toHaveCount(1);
  await saveScreens(page, 'container-processes');

  await openContainer(page, stack, '/events');
  const feed = page.getByRole('region', { name: 'Container events' });
  await expect(feed.getByRole('cell', { name: 'start', exact: true })).toHaveCount(1);
  await expect(feed.getByRole('cell', { name: 'create', exact: true })).toHaveCount(1);
  await saveScreens(page, 'container-events');
});

test('the console runs a shell with a pty: typed commands print their real output', async ({
  page,
  stack,
}) => {
  await logIn(page, stack.web, ADMIN.username, ADMIN.password);
  await openContainer(page, stack, '/console');
  await expect(page.getByTestId('console-status')).toContainText('Connected: sh');
  await page.getByTestId('console-terminal').click();
  await page.keyboard.type('echo hello-$((6*7))');
  await page.keyboard.press('Enter');
  // The typed line shows `$((6*7))`; only the shell's output says 42.
  await expect.poll(() => terminalText(page)).toContain('hello-42');
  // A real pty: the shell sees a terminal, sized by the browser's element.
  await page.keyboard.type('tty; stty size');
  await page.keyboard.press('Enter');
  await expect.poll(() => terminalText(page)).toMatch(/\/dev\/pts\/\d+/);
  await expect.poll(() => terminalText(page)).toMatch(/\n\d+ \d+\n/);
  await saveScreens(page, 'container-console');

  // Leaving with `exit` ends the session; Reconnect opens a new one.
  await page.keyboard.type('exit');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('console-status')).toContainText('Session ended (exit code 0)');
  await page.getByRole('button', { name: 'Reconnect' }).click();
  await expect(page.getByTestId('console-status')).toContainText('Connected: sh');

  // An image without bash: the exec fails and the page says which shell is missing.
  await page.getByLabel('Shell').selectOption('bash');
  await page.getByRole('button', { name: 'Connect' }).click();
  const missing = page.getByRole('alert').filter({ hasText: 'This image has no bash' });
  await expect(missing).toBeVisible();
  await expect(missing).toContainText('Try sh or ash');

  await page.goto('/audit');
  await expect(
    page.getByTestId('audit-row').filter({ hasText: 'container.console.exec' }).filter({ hasText: '"sh"' }),
  ).not.toHaveCount(0);
});

test('rename and kill with a chosen signal work and are audited', async ({ page, stack }) => {
  await logIn(page, stack.web, ADMIN.username, ADMIN.password);
  await openContainer(page, stack);
  const actions = page.getByRole('group', { name: 'Container actions' });
  await actions.getByRole('button', { name: 'Rename…' }).click();
  const rename = page.getByRole('dialog', { name: `Rename ${NAME}` });
  await rename.getByLabel('New name').fill(RENAMED);
  await rename.getByRole('button', { name: 'Rename' }).click();
  await expect(page.getByTestId('container-name')).toHaveText(RENAMED);
  expect(await cli(stack, ['inspect', '-f', '{{.Name}}', containerId])).toBe(`/${RENAMED}`);

  await actions.getByRole('button', { name: 'Kill…' }).click();
  const kill = page.getByRole('dialog', { name: `Kill ${RENAMED}?` });
  await expect(kill).toBeVisible();
  // Cancel leaves it running: the confirmation really guards the action.
  await kill.getByRole('button', { name: 'Cancel' }).click();
  await expect(page.getByTestId('container-state')).toHaveText('running');
  await actions.getByRole('button', { name: 'Kill…' }).click();
  await kill.getByRole('button', { name: 'SIGTERM' }).click();
  await kill.getByRole('button', { name: 'Send signal' }).click();
  // busybox sleep as PID 1 has no handler for SIGTERM, and PID 1 ignores unhandled signals — SIGKILL ends it.
  await actions.getByRole('button', { name: 'Kill…' }).click();
  await kill.getByLabel('Signal').fill('KILL');
  await kill.getByRole('button', { name: 'Send signal' }).click();
  // The header follows the engine's events.
  await expect(page.getByTestId('container-state')).toHaveText(/exited \(137\)/);
  expect(await cli(stack, ['inspect', '-f', '{{.State.Status}}', containerId])).toBe('exited');

  await page.goto('/audit');
  const rows = page.getByTestId('audit-row');
  await expect(rows.filter({ hasText: 'container.rename' }).filter({ hasText: RENAMED })).toHaveCount(1);
  await expect(rows.filter({ hasText: 'container.kill' }).filter({ hasText: '"SIGTERM"' })).toHaveCount(1);
  await expect(rows.filter({ hasText: 'container.kill' }).filter({ hasText: '"SIGKILL"' })).toHaveCount(1);
  await cli(stack, ['start', containerId]);
});

test('a viewer sees no actions and no console; the server refuses kill and exec for them', async ({
  page,
  stack,
}) => {
  await logIn(page, stack.web, ADMIN.username, ADMIN.password);
  await addUser(page, VIEWER, 'viewer');
  await page.getByRole('button', { name: 'Log out' }).click();

  await logIn(page, stack.web, VIEWER.username, VIEWER.password);
  await openContainer(page, stack);
  await expect(page.getByTestId('container-name')).toHaveText(RENAMED);
  await expect(page.getByTestId('container-state')).toHaveText('running');
  await expect(page.getByRole('group', { name: 'Container actions' })).toHaveCount(0);
  // The header follows the engine's events, whoever acts (here the CLI).
  await cli(stack, ['pause', containerId]);
  await expect(page.getByTestId('container-state')).toHaveText('paused');
  await cli(stack, ['unpause', containerId]);
  await expect(page.getByTestId('container-state')).toHaveText('running');
  await expect(page.getByRole('button', { name: /Kill|Remove|Rename|Stop/ })).toHaveCount(0);
  await openContainer(page, stack, '/console');
  await expect(page.getByText('it needs the operator role on this host')).toBeVisible();

  const kill = await page.request.post(`/api/trpc/containers.details.kill`, {
    data: { hostId, container: containerId, signal: 'SIGKILL' },
  });
  expect(kill.status()).toBe(403);
  const input = encodeURIComponent(
    JSON.stringify({ hostId, container: containerId, mode: 'exec', command: ['sh'] }),
  );
  const exec = await page.request.get(`/api/trpc/containers.console.open?input=${input}`);
  expect(await exec.text()).toContain('FORBIDDEN');
  const write = await page.request.post(`/api/trpc/containers.console.write`, {
    data: { hostId, sessionId: '00000000-0000-4000-8000-000000000000', data: 'ZWNobwo=' },
  });
  expect(write.status()).toBe(403);
  expect(await cli(stack, ['inspect', '-f', '{{.State.Status}}', containerId])).toBe('running');
});

test('remove asks first, needs force for a running container, takes its anonymous volumes along', async ({
  page,
  stack,
}) => {
  const id = await cli(stack, ['run', '-d', '--name', 'page-rm', '-v', '/cache', image, 'sleep', '3600']);
  try {
    const [inspected] = JSON.parse(await cli(stack, ['inspect', id])) as { Mounts: { Name?: string }[] }[];
    const volume = inspected?.Mounts[0]?.Name ?? '';
    expect(volume).toMatch(/^[a-f0-9]{64}$/);
    await logIn(page, stack.web, ADMIN.username, ADMIN.password);
    await page.goto(`/hosts/${hostId}/containers/${id}`);
    await page.getByRole('button', { name: 'Remove…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Remove page-rm?' });
    const confirm = dialog.getByRole('button', { name: 'Remove' });
    await expect(confirm).toBeDisabled();
    await dialog.getByLabel(/kill it first/).check();
    await dialog.getByLabel(/anonymous volumes/).check();
    await confirm.click();
    await expect(page).toHaveURL(new RegExp(`/hosts/${hostId}$`));
    expect((await runCli(['-H', stack.agent.host, 'inspect', id])).code).not.toBe(0);
    expect((await runCli(['-H', stack.agent.host, 'volume', 'inspect', volume])).code).not.toBe(0);

    await page.goto(`/audit`);
    await expect(
      page
        .getByTestId('audit-row')
        .filter({ hasText: 'container.remove' })
        .filter({ hasText: '"volumes":true' }),
    ).toHaveCount(1);
    // The page of a container that is gone says so and links back to its host.
    await page.goto(`/hosts/${hostId}/containers/${id}`);
    await expect(page.getByRole('heading', { name: 'No such container' })).toBeVisible();
    await expect(page.getByRole('link', { name: 'local' }).first()).toHaveAttribute(
      'href',
      `/hosts/${hostId}`,
    );
  } finally {
    await runCli(['-H', stack.agent.host, 'rm', '-f', '-v', 'page-rm']);
  }
});

test('a container created with -t: the console attaches to its main process', async ({ page, stack }) => {
  const id = await cli(stack, ['run', '-d', '-i', '-t', '--name', 'page-tty', image, 'sh']);
  try {
    await logIn(page, stack.web, ADMIN.username, ADMIN.password);
    if (!hostId) await openContainer(page, stack);
    await page.goto(`/hosts/${hostId}/containers/${id}/console`);
    await expect(page.getByLabel('Main process (attach)')).toBeChecked();
    await expect(page.getByTestId('console-status')).toContainText('Connected: main process');
    await page.getByTestId('console-terminal').click();
    await page.keyboard.type('echo tty-$((3*3)) pid-$$');
    await page.keyboard.press('Enter');
    // PID 1: the container's own shell, not a new exec.
    await expect.poll(() => terminalText(page)).toContain('tty-9 pid-1');
    // Leaving detaches; the main process keeps running.
    await page.getByRole('navigation', { name: 'Container' }).getByRole('link', { name: 'Overview' }).click();
    await expect(page.getByTestId('container-state')).toHaveText('running');
    expect(await cli(stack, ['inspect', '-f', '{{.State.Status}}', id])).toBe('running');
  } finally {
    await runCli(['-H', stack.agent.host, 'rm', '-f', 'page-tty']);
  }
});
