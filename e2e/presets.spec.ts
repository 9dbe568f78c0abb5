import type { Page } from '@playwright/test';
import { type AgentProcess, startAgent } from '../apps/agent/test/harness/agent-process';
import { runCli } from '../apps/agent/test/harness/cli-process';
import { startRegistry, type TestRegistry } from '../apps/agent/test/harness/registry';
import { pushBusybox } from '../apps/agent/test/harness/test-images';
import { writeUsageHistory } from '../apps/agent/test/harness/usage-history';
import { ADMIN, expect, test } from './fixtures';
import { logIn } from './helpers';
import { saveScreens } from './screens';

// Presets are stored per dashboard: this file gets a stack of its own.
test.use({ stackName: 'presets' });
test.describe.configure({ mode: 'serial' });

const SLEEPER = ['sh', '-c', 'trap "exit 0" TERM; sleep 600 & wait'];
const LABEL = 'e2e.presets=web';

let registry: TestRegistry | undefined;
let second: AgentProcess | undefined;
let localHost = '';
const made: { host: string; name: string }[] = [];

async function cli(host: string, args: string[]) {
  const result = await runCli(['-H', host, ...args]);
  expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(0);
  return result.stdout.trim();
}

async function memoryOf(host: string, name: string) {
  return Number(await cli(host, ['inspect', '-f', '{{.HostConfig.Memory}}', name]));
}

test.beforeAll(async ({ workerStack }) => {
  localHost = workerStack.agent.host;
  registry = await startRegistry();
  second = await startAgent();
  const image = (await pushBusybox(registry)).reference;
  for (const [host, name, labelled] of [
    [localHost, 'pe-local-web', true],
    [localHost, 'pe-local-other', false],
    [second.host, 'pe-second-web', true],
  ] as const) {
    await cli(host, ['pull', '-q', image]);
    made.push({ host, name });
    await cli(host, [
      'run',
      '-d',
      '--name',
      name,
      ...(labelled ? ['--label', LABEL] : []),
      image,
      ...SLEEPER,
    ]);
  }
});

test.afterAll(async () => {
  try {
    for (const { host, name } of made) await runCli(['-H', host, 'rm', '-f', name]);
  } finally {
    await second?.stop();
    await registry?.stop();
  }
});

/** Registers the second agent as host "second" through the dashboard's API, as the admin. */
async function registerSecond(page: Page, baseURL: string) {
  const response = await page.request.post(`${baseURL}/api/trpc/hosts.create`, {
    data: { name: 'second', transport: 'unix', socketPath: second?.socketPath },
    headers: { origin: baseURL },
  });
  expect(response.ok(), await response.text()).toBe(true);
}

test('create a preset in the form, apply it by label across two agents, read the report, see drift and re-apply', async ({
  page,
  stack,
}) => {
  await logIn(page, stack.web, ADMIN.username, ADMIN.password);
  await registerSecond(page, stack.web.baseURL);
  await page.getByRole('link', { name: 'Presets' }).click();
  await expect(page).toHaveURL(/\/presets$/);
  await expect(page.getByTestId('presets-empty')).toContainText('No presets yet');
  await saveScreens(page, 'presets-empty');

  // The form checks units with the engine's rules before anything is sent.
  await page.getByRole('button', { name: 'Create the first preset' }).click();
  const form = page.getByRole('form', { name: 'New preset' });
  await form.getByLabel('Name').fill('web-small');
  await form.getByLabel('Description').fill('Front-end containers');
  await form.getByLabel('Memory', { exact: true }).fill('12x');
  await form.getByRole('button', { name: 'Create preset' }).click();
  await expect(form.getByRole('alert')).toContainText('invalid size "12x"');
  await form.getByLabel('Memory', { exact: true }).fill('256m');
  await form.getByLabel('CPUs').fill('0.5');
  await form.getByLabel('PIDs limit').fill('200');
  await saveScreens(page, 'presets-form');
  await form.getByRole('button', { name: 'Create preset' }).click();
  const card = page.getByTestId('preset-web-small');
  await expect(card).toContainText('Memory 256MiB · CPUs 0.5 · PIDs limit 200');

  // Apply by label: a live count of what matches across both hosts, then the preview.
  await card.getByRole('button', { name: 'Apply…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Apply web-small' });
  await dialog.getByLabel('Label selector').fill(LABEL);
  await expect(dialog.getByTestId('selector-count')).toHaveText('Matches 2 containers on 2 hosts now');
  await saveScreens(page, 'presets-apply');
  await dialog.getByRole('button', { name: 'Preview changes' }).click();
  await expect(dialog.getByTestId('preview-row')).toHaveCount(2);
  await expect(dialog.getByTestId('preview-row').filter({ hasText: 'pe-second-web' })).toContainText(
    '256MiB',
  );
  await saveScreens(page, 'presets-preview');
  await dialog.getByRole('button', { name: 'Apply to 2 containers' }).click();

  // The per-container report.
  const report = dialog.getByTestId('rollout-report');
  await expect(report).toHaveAttribute('data-status', 'done');
  await expect(dialog.getByTestId('rollout-summary')).toHaveText('Rollout finished: 2 ok, 0 failed');
  for (const name of ['pe-local-web', 'pe-second-web']) {
    await expect(dialog.locator(`[data-testid="rollout-row"][data-container="${name}"]`)).toHaveAttribute(
      'data-status',
      'ok',
    );
  }
  await saveScreens(page, 'presets-report');
  expect(await memoryOf(localHost, 'pe-local-web')).toBe(256 * 1024 * 1024);
  expect(await memoryOf(second?.host ?? '', 'pe-second-web')).toBe(256 * 1024 * 1024);
  expect(await memoryOf(localHost, 'pe-local-other')).toBe(0);
  await dialog.getByRole('button', { name: 'Close', exact: true }).first().click();

  // A change made with the CLI shows as drift, with a badge on the preset, until it is re-applied.
  await cli(second?.host ?? '', ['update', '--memory', '300m', 'pe-second-web']);
  await page.reload();
  await expect(card.getByTestId('drift-badge')).toHaveText('1 drifted');
  const drift = page.getByTestId('drift-list');
  await expect(drift.getByTestId('drift-row')).toHaveCount(1);
  await expect(drift.getByTestId('drift-row')).toContainText('300MiB');
  await saveScreens(page, 'presets-drift');
  await drift.getByRole('button', { name: 'Re-apply web-small' }).click();
  const again = page.getByRole('dialog', { name: 'Apply web-small' });
  await again.getByRole('button', { name: 'Apply to 1 container' }).click();
  await expect(again.getByTestId('rollout-summary')).toHaveText('Rollout finished: 1 ok, 0 failed');
  expect(await memoryOf(second?.host ?? '', 'pe-second-web')).toBe(256 * 1024 * 1024);

  // Rollback from the report puts back what the container had before (the CLI's 300m), after asking.
  await again.getByRole('button', { name: 'Roll back' }).click();
  await again.getByRole('button', { name: 'Roll back 1' }).click();
  await expect(again.getByTestId('rollout-summary')).toHaveText('Rollback finished: 1 ok, 0 failed');
  expect(await memoryOf(second?.host ?? '', 'pe-second-web')).toBe(300 * 1024 * 1024);
});

test('recommended limits as the rollout policy: each container its own memory from its history; too little history is skipped', async ({
  page,
  stack,
  workerStack,
}) => {
  // 40 minutes of history for pe-local-web (100 MiB working set), through the agent's own writer;
  // pe-second-web has only the seconds it has been running.
  const id = await cli(localHost, ['inspect', '-f', '{{.Id}}', 'pe-local-web']);
  const now = Math.floor(Date.now() / 1000);
  writeUsageHistory(workerStack.agent.dataRoot, id, {
    fromSec: now - 43 * 60,
    toSec: now - 3 * 60,
    memoryBytes: 100 * 1024 * 1024,
    cpuPercent: 20,
  });
  await logIn(page, stack.web, ADMIN.username, ADMIN.password);
  await page.goto('/presets');
  await page.getByTestId('preset-web-small').getByRole('button', { name: 'Apply…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Apply web-small' });
  await dialog.getByLabel('Label selector').fill(LABEL);
  await dialog.getByLabel('Recommended limits').check();
  await dialog.getByLabel('CPU', { exact: true }).uncheck();
  await dialog.getByLabel('History window').selectOption('1h');
  await dialog.getByRole('button', { name: 'Preview changes' }).click();
  await expect(dialog.getByTestId('preview-row')).toHaveCount(2);
  await expect(dialog.locator('[data-testid="preview-row"][data-container="pe-second-web"]')).toContainText(
    'skipped: not enough usage history',
  );
  await expect(dialog.locator('[data-testid="preview-row"][data-container="pe-local-web"]')).toContainText(
    '256MiB',
  );
  await expect(dialog.getByTestId('preview-summary')).toContainText('1 skipped');
  await saveScreens(page, 'presets-recommended');
  await dialog.getByRole('button', { name: 'Apply to 1 container' }).click();
  await expect(dialog.getByTestId('rollout-summary')).toContainText('Rollout finished: 1 ok, 0 failed');
  const memory = await memoryOf(localHost, 'pe-local-web');
  expect(memory).toBeGreaterThan(100 * 1024 * 1024);
  expect(memory).toBeLessThan(256 * 1024 * 1024);
  expect(await memoryOf(second?.host ?? '', 'pe-second-web')).toBe(300 * 1024 * 1024);
});
