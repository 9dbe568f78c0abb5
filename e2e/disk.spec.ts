import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Page } from '@playwright/test';
import { runCli } from '../apps/agent/test/harness/cli-process';
import { startRegistry, type TestRegistry } from '../apps/agent/test/harness/registry';
import { busyboxLayer, pushImage } from '../apps/agent/test/harness/test-images';
import { ADMIN, expect, type Stack, test } from './fixtures';
import { addUser, logIn } from './helpers';
import { saveScreens } from './screens';

// The data-root moves and images are pruned: this file gets a stack of its own, whose agent keeps
// data-root in its config file (a flag would pin it) and copies slowly enough to watch.
test.use({
  stackName: 'disk',
  agentOptions: { dataRootInConfig: true, env: { STEVEDORE_TEST_RSYNC_BWLIMIT: '512' } },
});
test.describe.configure({ mode: 'serial' });

const VIEWER = { username: 'dora', password: 'dora viewer password' };
let registry: TestRegistry | undefined;
let hostId = '';
let oldRoot = '';
let migrated = false;

async function cli(stack: Stack, args: string[]) {
  const result = await runCli(['-H', stack.agent.host, ...args]);
  expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(0);
  return result.stdout.trim();
}

async function openDisk(page: Page) {
  if (!hostId) {
    await page.goto('/hosts');
    await page.getByTestId('host-row-local').getByRole('link', { name: 'local' }).click();
    await expect(page).toHaveURL(/\/hosts\/[a-z0-9]+$/);
    hostId = new URL(page.url()).pathname.split('/')[2] ?? '';
  }
  await page.goto(`/hosts/${hostId}`);
  const tab = page.getByRole('link', { name: 'Disk', exact: true });
  await expect(tab).toHaveAttribute('href', `/hosts/${hostId}/disk`);
  await page.goto(`/hosts/${hostId}/disk`);
}

test.beforeAll(async ({ workerStack }) => {
  oldRoot = workerStack.agent.dataRoot;
  registry = await startRegistry();
  const first = await pushImage(
    registry,
    'library/e2e-disk',
    'latest',
    [busyboxLayer(), [{ type: 'file', name: 'v1', content: '1' }]],
    { Cmd: ['sh'] },
  );
  await cli(workerStack, ['pull', '-q', first.reference]);
  // The tag pushed again with another layer and pulled: the first image is left dangling.
  await pushImage(
    registry,
    'library/e2e-disk',
    'latest',
    [busyboxLayer(), [{ type: 'file', name: 'v2', content: '2' }]],
    {
      Cmd: ['sh'],
    },
  );
  await cli(workerStack, ['pull', '-q', first.reference]);
  await cli(workerStack, [
    'run',
    '--name',
    'e2e-disk-logs',
    first.reference,
    'sh',
    '-c',
    'echo one; echo two',
  ]);
});

test.afterAll(async ({ workerStack }) => {
  try {
    await runCli(['-H', workerStack.agent.host, 'rm', '-f', 'e2e-disk-logs']);
  } finally {
    await registry?.stop();
    // The old root the migration left behind (the new one goes with the agent's temp directory).
    if (migrated) rmSync(oldRoot, { recursive: true, force: true });
  }
});

test('the Disk tab shows the data-root, its filesystem and system df as a chart with logs', async ({
  page,
  stack,
}) => {
  await logIn(page, stack.web, ADMIN.username, ADMIN.password);
  await openDisk(page);
  await expect(page.getByTestId('data-root-path')).toHaveText(stack.agent.dataRoot);
  await expect(page.getByTestId('data-root-space')).toContainText('free');
  for (const kind of ['images', 'containers', 'local-volumes', 'build-cache', 'logs']) {
    await expect(page.getByTestId(`df-row-${kind}`)).toBeVisible();
  }
  await expect(page.getByTestId('df-row-images')).toContainText('of 2 in use');
  await expect(page.getByTestId('df-row-logs')).toContainText('1 file');
  await expect(page.getByTestId('log-rotation-current')).toContainText('no limit');
  await saveScreens(page, 'disk');
});

test('log rotation: set from the tab, shown back; the dry run lists the dangling image and a run removes it', async ({
  page,
  stack,
}) => {
  await logIn(page, stack.web, ADMIN.username, ADMIN.password);
  await openDisk(page);
  const rotation = page.getByRole('form', { name: 'Log rotation defaults' });
  await rotation.getByLabel('Max size per file').fill('20m');
  await rotation.getByLabel('Files kept').fill('3');
  await rotation.getByRole('button', { name: 'Save log rotation' }).click();
  await expect(page.getByTestId('log-rotation-current')).toContainText('rotate at 20m, keep 3 files');

  const dangling = await cli(stack, ['images', '-q', '--no-trunc', '--filter', 'dangling=true']);
  expect(dangling.split('\n')).toHaveLength(1);
  const policy = page.getByRole('form', { name: 'Prune policy' });
  await policy.getByLabel('Dangling images older than (days)').fill('0');
  await policy.getByLabel('Containers stopped for (days)').fill('');
  await policy.getByRole('button', { name: 'Preview (dry run)' }).click();
  const preview = page.getByTestId('prune-preview');
  await expect(preview.getByTestId('prune-item')).toHaveCount(1);
  await expect(preview.getByTestId('prune-item')).toContainText(dangling.replace('sha256:', '').slice(0, 12));
  await expect(preview).toContainText('1 item would go');
  await saveScreens(page, 'disk-prune-preview');
  await policy.getByRole('button', { name: 'Save policy' }).click();
  await expect(page.getByText('Policy saved.')).toBeVisible();
  await policy.getByRole('button', { name: 'Run saved policy now' }).click();
  await page
    .getByRole('dialog', { name: 'Run the clean-up now?' })
    .getByRole('button', { name: 'Remove' })
    .click();
  await expect(page.getByText(/Removed 1 item, freed/)).toBeVisible();
  await expect(page.getByTestId('prune-run')).toHaveCount(1);
  expect(await cli(stack, ['images', '-q', '--filter', 'dangling=true'])).toBe('');
});

test('migrate the data-root between two directories: checks, progress through every phase, the new root shown', async ({
  page,
  stack,
}) => {
  test.setTimeout(240_000);
  const target = join(dirname(stack.agent.dataRoot), 'e2e-moved-root');
  await logIn(page, stack.web, ADMIN.username, ADMIN.password);
  await openDisk(page);
  const form = page.getByRole('form', { name: 'Migration target' });
  await form.getByLabel(/New data-root/).fill(join(stack.agent.dataRoot, 'inside'));
  await form.getByRole('button', { name: 'Check target' }).click();
  await expect(page.getByTestId('check-outside')).toHaveAttribute('data-ok', 'false');
  await expect(form.getByRole('button', { name: 'Start migration' })).toBeDisabled();
  await form.getByLabel(/New data-root/).fill(target);
  await form.getByRole('button', { name: 'Check target' }).click();
  for (const check of ['outside', 'empty', 'space', 'overlay']) {
    await expect(page.getByTestId(`check-${check}`)).toHaveAttribute('data-ok', 'true');
  }
  await form.getByRole('button', { name: 'Start migration' }).click();
  await page
    .getByRole('dialog', { name: 'Move the data-root?' })
    .getByRole('button', { name: 'Start migration' })
    .click();
  const progress = page.getByTestId('migration-progress');
  await expect(page.getByTestId('phase-copying')).toHaveAttribute('data-state', 'current', {
    timeout: 60_000,
  });
  await expect(progress.getByRole('progressbar', { name: 'Bytes copied' })).toBeVisible();
  await expect(page.getByTestId('migration-bytes')).toContainText('copied');
  await saveScreens(page, 'disk-migration-progress');
  await expect(progress).toHaveAttribute('data-status', 'finished', { timeout: 180_000 });
  migrated = true;
  for (const phase of ['checking', 'copying', 'verifying', 'switching', 'restarting']) {
    await expect(page.getByTestId(`phase-${phase}`)).toHaveAttribute('data-state', 'done');
  }
  await expect(page.getByTestId('data-root-path')).toHaveText(target);
  await saveScreens(page, 'disk-migration-done');
  expect(await cli(stack, ['info', '--format', '{{.DockerRootDir}}'])).toBe(target);
  // A reload reads the ending from the agent's record.
  await page.reload();
  await expect(page.getByTestId('data-root-path')).toHaveText(target);
});

test('a viewer sees the disk but cannot change anything; the server refuses them', async ({
  page,
  stack,
}) => {
  test.setTimeout(120_000);
  await logIn(page, stack.web, ADMIN.username, ADMIN.password);
  await addUser(page, VIEWER, 'viewer');
  await page.getByRole('button', { name: 'Log out' }).click();

  await logIn(page, stack.web, VIEWER.username, VIEWER.password);
  await openDisk(page);
  await expect(page.getByTestId('df-row-images')).toBeVisible();
  await expect(
    page.getByRole('button', { name: /Start migration|Save policy|Save log rotation|Run saved policy now/ }),
  ).toHaveCount(0);
  await expect(page.getByRole('form', { name: 'Migration target' })).toHaveCount(0);
  await expect(page.getByLabel('Max size per file')).toBeDisabled();
  await saveScreens(page, 'disk-viewer');
  for (const [procedure, data] of [
    ['disk.setLogRotation', { hostId, maxSize: '1m', maxFile: 1 }],
    ['disk.startMigration', { hostId, target: '/tmp/never-made-by-a-viewer' }],
    [
      'disk.savePrunePolicy',
      {
        hostId,
        enabled: true,
        danglingImagesDays: 0,
        stoppedContainersDays: 0,
        unusedVolumes: true,
        intervalHours: 1,
      },
    ],
    ['disk.runPrune', { hostId }],
  ] as const) {
    const response = await page.request.post(`/api/trpc/${procedure}`, { data });
    expect(response.status(), procedure).toBe(403);
  }
  expect(await cli(stack, ['info', '--format', '{{.DockerRootDir}}'])).not.toBe(
    '/tmp/never-made-by-a-viewer',
  );
});
