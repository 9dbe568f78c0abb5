import { readFileSync } from 'node:fs';
import type { Page } from '@playwright/test';
import type { ContainerInspect } from '@stevedore/shared';
import type { TestRegistry } from '../apps/agent/test/harness/registry';
import { ADMIN, expect, test } from './fixtures';
import { logIn } from './helpers';
import { saveScreens } from './screens';
import { cli, removeBusybox, startLimitedContainer } from './test-containers';

/**
 * The Limits tab against a real agent: the values set in the form are read from the container's
 * own cgroup file on this host (cgroup v1: memory.limit_in_bytes), not only from the API.
 *
 * The tests after the first need limits-engine's agent procedures (`containers.limits`, and
 * `update` answering with the readings): they are last in the file.
 */

test.describe.configure({ mode: 'serial' });

const MiB = 1024 * 1024;
const NAME = 'limits-running';
/** cgroup v1's "no limit": the largest page-aligned 64-bit value (above 2^62 on every page size). */
const V1_UNLIMITED_ABOVE = 2 ** 62;
let registry: TestRegistry | undefined;
let hostPath = '';

async function inspect(host: string): Promise<ContainerInspect> {
  const [one] = JSON.parse(await cli(host, 'inspect', NAME)) as ContainerInspect[];
  if (!one) throw new Error(`no inspect for ${NAME}`);
  return one;
}

/**
 * The container's memory limit as the kernel holds it: the memory cgroup of its init process
 * (from /proc/PID/cgroup, so the test does not depend on how the agent names cgroups), v1 or v2.
 */
async function kernelMemoryLimit(host: string): Promise<string> {
  const pid = (await inspect(host)).State.Pid;
  const lines = readFileSync(`/proc/${pid}/cgroup`, 'utf8').trim().split('\n');
  const v1 = lines
    .map((line) => line.split(':'))
    .find(([, controllers]) => controllers?.split(',').includes('memory'));
  if (v1?.[2]) return readFileSync(`/sys/fs/cgroup/memory${v1[2]}/memory.limit_in_bytes`, 'utf8').trim();
  const v2 = lines.find((line) => line.startsWith('0::'))?.slice(3);
  return readFileSync(`/sys/fs/cgroup${v2}/memory.max`, 'utf8').trim();
}

const isUnlimited = (raw: string) => raw === 'max' || Number(raw) > V1_UNLIMITED_ABOVE;

async function openLimits(page: Page): Promise<void> {
  await page.goto(`${hostPath}/containers/${NAME}/limits`);
  await expect(page.getByRole('link', { name: 'Limits' })).toHaveAttribute('aria-current', 'page');
  await expect(page.getByLabel('Memory limit', { exact: true })).toBeVisible({ timeout: 15_000 });
}

test.beforeAll(async ({ workerStack }) => {
  registry = await startLimitedContainer(workerStack.agent.host, NAME);
});

test.afterAll(async ({ workerStack }) => {
  await removeBusybox(workerStack.agent.host, NAME, registry);
});

test('the Limits tab shows the configured limits and checks input with the engine’s rules', async ({
  page,
  stack,
}) => {
  await logIn(page, stack.web, ADMIN.username, ADMIN.password);
  await page.getByTestId('host-row-local').getByRole('link', { name: 'local' }).click();
  await expect(page).toHaveURL(/\/hosts\/[a-z0-9]+$/);
  hostPath = new URL(page.url()).pathname;
  await openLimits(page);
  const form = page.getByRole('form', { name: 'Limits' });
  await expect(form.getByLabel('Memory limit', { exact: true })).toHaveValue('64m');
  await expect(form.getByLabel('CPUs', { exact: true })).toHaveValue('0.5');
  await expect(form.getByLabel('CPUs slider')).toHaveValue('0.5');
  await expect(form.getByLabel('Restart policy')).toHaveValue('no');
  // Memory use beside the limit, from the usage history.
  await expect(form.getByTestId('limit-memory-context')).toContainText(/now \d/, { timeout: 20_000 });

  // Units as the CLI takes them; the engine's own messages, beside the field, before anything is sent.
  await form.getByLabel('Memory limit', { exact: true }).fill('12Q');
  await form.getByLabel('CPU shares', { exact: true }).fill('1');
  await form.getByRole('button', { name: 'Apply' }).click();
  await expect(form.getByLabel('Memory limit', { exact: true })).toHaveAttribute('aria-invalid', 'true');
  await expect(form.getByText(/invalid size "12Q"/)).toBeVisible();
  await expect(form.getByText('CPU shares must be between 2 and 262144')).toBeVisible();
  await form.getByLabel('Memory limit', { exact: true }).fill('1m');
  await expect(form.getByText('Minimum memory limit allowed is 6MB')).toBeVisible();
  // The slider and the number are one field.
  await form.getByLabel('CPUs slider').fill('1');
  await expect(form.getByLabel('CPUs', { exact: true })).toHaveValue('1');
  await form.getByRole('button', { name: 'Reset' }).click();
  await expect(form.getByLabel('Memory limit', { exact: true })).toHaveValue('64m');
  // Nothing was applied: the kernel still holds 64 MiB.
  expect(Number(await kernelMemoryLimit(stack.agent.host))).toBe(64 * MiB);
});

test('a memory limit set in the form is what the cgroup file holds; cleared, it reads unlimited (needs limits-engine)', async ({
  page,
  stack,
}) => {
  const host = stack.agent.host;
  await logIn(page, stack.web, ADMIN.username, ADMIN.password);
  await openLimits(page);
  const form = page.getByRole('form', { name: 'Limits' });
  // The host's capacity and the kernel's current values come from the agent's `containers.limits`.
  await expect(form.getByTestId('limit-cpus-context')).toContainText(/Host: \d+ CPU/, { timeout: 15_000 });
  await expect(page.getByTestId('current-readings')).toBeVisible();

  await form.getByLabel('Memory limit', { exact: true }).fill('96m');
  await form.getByRole('button', { name: 'Apply' }).click();
  const applied = page.getByTestId('applied');
  await expect(applied).toContainText('Applied — read from the kernel', { timeout: 15_000 });
  const memoryRow = applied.locator('tr[data-field="Memory"]');
  await expect(memoryRow).toContainText('memory');
  await expect(memoryRow.getByTestId('reading-raw')).toHaveText(String(96 * MiB));
  await expect(memoryRow).toHaveAttribute('data-matches', 'true');
  expect(Number(await kernelMemoryLimit(host))).toBe(96 * MiB);
  expect((await inspect(host)).HostConfig.Memory).toBe(96 * MiB);
  await saveScreens(page, 'container-limits');

  // A change the host refuses (a CPU it does not have): a clear error beside the form, nothing changed.
  await form.getByLabel('CPU set', { exact: true }).fill('63');
  await form.getByRole('button', { name: 'Apply' }).click();
  await expect(page.getByTestId('apply-error')).toContainText('Not applied', { timeout: 15_000 });
  expect((await inspect(host)).HostConfig.CpusetCpus).toBe('');
  expect(Number(await kernelMemoryLimit(host))).toBe(96 * MiB);
  await form.getByRole('button', { name: 'CPU set: unlimited' }).click();

  // Unlimited, with the explicit control: the kernel's file says so.
  await form.getByRole('button', { name: 'Memory limit: unlimited' }).click();
  await expect(form.getByLabel('Memory limit', { exact: true })).toHaveValue('');
  await form.getByRole('button', { name: 'Apply' }).click();
  await expect(applied).toContainText('Applied — read from the kernel', { timeout: 15_000 });
  await expect.poll(async () => isUnlimited(await kernelMemoryLimit(host))).toBe(true);
  expect((await inspect(host)).HostConfig.Memory).toBe(0);
  await expect(applied.locator('tr[data-field="Memory"]')).toContainText('unlimited');
});

test('a recommendation from the usage history is applied in one click (needs limits-engine)', async ({
  page,
  stack,
}) => {
  const host = stack.agent.host;
  await logIn(page, stack.web, ADMIN.username, ADMIN.password);
  await openLimits(page);
  const panel = page.getByTestId('recommendation');
  await panel.getByRole('button', { name: '1 h' }).click();
  await expect(panel.getByTestId('proposed-memory')).toHaveText(/\d+(\.\d+)?[KMG]iB/, { timeout: 20_000 });
  await expect(panel.getByRole('list', { name: 'Why' })).toContainText('Memory:');
  // The chart from two points of history on (a young container has one; then a note says so).
  const chart = panel.getByTestId('recommendation-memory-chart').locator('canvas');
  await expect(chart.or(panel.getByTestId('recommendation-no-chart'))).toBeVisible();
  await saveScreens(page, 'container-limits-recommendation');

  await panel.getByRole('button', { name: 'Apply recommendation' }).click();
  const applied = page.getByTestId('applied');
  await expect(applied).toContainText('Applied — read from the kernel', { timeout: 15_000 });
  const configured = (await inspect(host)).HostConfig;
  // The proposal is at least the engine's 6 MiB floor and what the idle shell uses, and it is in the kernel.
  expect(configured.Memory).toBeGreaterThanOrEqual(6 * MiB);
  expect(configured.NanoCpus).toBeGreaterThan(0);
  expect(Number(await kernelMemoryLimit(host))).toBe(configured.Memory);
  await expect(applied.locator('tr[data-field="Memory"]').getByTestId('reading-raw')).toHaveText(
    String(configured.Memory),
  );
});
