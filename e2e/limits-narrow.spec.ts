import { readFileSync } from 'node:fs';
import type { TestRegistry } from '../apps/agent/test/harness/registry';
import { ADMIN, expect, test } from './fixtures';
import { logIn } from './helpers';
import { SCREENS_DIR, saveScreens } from './screens';
import { removeBusybox, startLimitedContainer } from './test-containers';

/**
 * The Limits tab on a phone (390 px): the kernel's readings as cards rather than a table cut to
 * two columns, the host's swap in words, no chart drawn from a single point; then the same tab
 * wide, where the readings are a table again. Screens are saved light and dark at 390 px.
 */

// The stack, the registry and a wait for the start of a minute: more than a test's 60 s on a busy machine.
test.describe.configure({ mode: 'serial', timeout: 240_000 });

const NAME = 'limits-narrow';
const PHONE = { width: 390, height: 844 };
const MiB = 1024 * 1024;
let registry: TestRegistry | undefined;

const hostSwapBytes = () =>
  Number(/^SwapTotal:\s+(\d+) kB$/m.exec(readFileSync('/proc/meminfo', 'utf8'))?.[1] ?? Number.NaN) * 1024;

test.beforeAll(async ({ workerStack }) => {
  registry = await startLimitedContainer(workerStack.agent.host, NAME, async () => {
    // Started early in a minute, so the 24 h window's minute buckets hold one point when the tab
    // opens (a fresh container's history is what drew a chart from 1970 with a "Jan 1" axis).
    const second = new Date().getUTCSeconds();
    if (second > 30) await new Promise((r) => setTimeout(r, (61 - second) * 1000));
  });
});

test.afterAll(async ({ workerStack }) => {
  await removeBusybox(workerStack.agent.host, NAME, registry);
});

test('the Limits tab at 390 px: readings as cards, swap in words, no single-point chart', async ({
  page,
  stack,
}) => {
  await page.setViewportSize(PHONE);
  await logIn(page, stack.web, ADMIN.username, ADMIN.password);
  await page.getByTestId('host-row-local').getByRole('link', { name: 'local' }).click();
  await expect(page).toHaveURL(/\/hosts\/[a-z0-9]+$/);
  const hostPath = new URL(page.url()).pathname;
  await page.goto(`${hostPath}/containers/${NAME}/limits`);
  const form = page.getByRole('form', { name: 'Limits' });
  await expect(form.getByLabel('Memory limit', { exact: true })).toHaveValue('64m', { timeout: 15_000 });

  // The host's swap: "no swap" on a host without, never "0B swap".
  const swap = form.getByTestId('limit-memorySwap-context');
  await expect(swap).toContainText('Host:', { timeout: 15_000 });
  if (hostSwapBytes() === 0) await expect(swap).toHaveText('Host: no swap');
  await expect(swap).not.toContainText('0B');

  // The readings: one card per file, with what was asked, what the kernel holds and the file.
  const readings = page.getByTestId('current-readings');
  const memory = readings.locator('tr[data-field="Memory"]');
  await expect(memory).toBeVisible();
  await expect(memory).toContainText('Asked64MiB');
  await expect(memory).toContainText('Kernel holds64MiB');
  await expect(memory).toContainText('✓ matches');
  await expect(memory.getByTestId('reading-raw')).toHaveText(String(64 * MiB));
  await expect(memory).toContainText('memory.limit_in_bytes');
  const card = await memory.boundingBox();
  expect(card?.width ?? Number.POSITIVE_INFINITY).toBeLessThanOrEqual(PHONE.width);
  await expect(readings.getByRole('columnheader', { name: 'Kernel holds' })).toBeHidden();
  const pageWidth = await page.evaluate<number>('document.documentElement.scrollWidth');
  expect(pageWidth, 'nothing makes the page scroll sideways').toBeLessThanOrEqual(PHONE.width);

  // The recommendation: a chart only from two points on (a fresh container has one).
  const panel = page.getByTestId('recommendation');
  await expect(panel.getByTestId('proposed-memory')).toBeVisible({ timeout: 20_000 });
  const note = panel.getByTestId('recommendation-no-chart');
  const chart = panel.getByTestId('recommendation-memory-chart');
  await expect(note.or(chart)).toBeVisible();
  if (await note.isVisible())
    await expect(note).toContainText(/Not enough history for a chart yet \(one point/);
  else expect(Number(await chart.getAttribute('data-points'))).toBeGreaterThanOrEqual(2);
  await saveScreens(page, 'container-limits-390');
  await page.evaluate("document.documentElement.classList.add('dark')");
  await page.screenshot({ path: `${SCREENS_DIR}/container-limits-390-dark.png`, fullPage: true });
  await page.evaluate("document.documentElement.classList.remove('dark')");

  // Applied at 390 px: the read-back is cards as well.
  await form.getByLabel('Memory limit', { exact: true }).fill('80m');
  await form.getByRole('button', { name: 'Apply' }).click();
  const applied = page.getByTestId('applied');
  await expect(applied).toContainText('Applied — read from the kernel', { timeout: 15_000 });
  await expect(applied.locator('tr[data-field="Memory"]')).toContainText('Kernel holds80MiB');
  await saveScreens(page, 'container-limits-390-applied');
  await page.evaluate("document.documentElement.classList.add('dark')");
  await page.screenshot({ path: `${SCREENS_DIR}/container-limits-390-applied-dark.png`, fullPage: true });
  await page.evaluate("document.documentElement.classList.remove('dark')");

  // Wide, the readings are a table with its column headers again.
  await page.setViewportSize({ width: 1280, height: 800 });
  await expect(applied.getByRole('columnheader', { name: 'Kernel holds' })).toBeVisible();
  await expect(applied.locator('tr[data-field="Memory"]')).not.toContainText('Asked', {
    useInnerText: true,
  });
  await expect(applied.locator('tr[data-field="Memory"]')).not.toContainText('✓ matches', {
    useInnerText: true,
  });
});
