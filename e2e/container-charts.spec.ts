import { runCli } from '../apps/agent/test/harness/cli-process';
import { startRegistry, type TestRegistry } from '../apps/agent/test/harness/registry';
import { pushBusybox } from '../apps/agent/test/harness/test-images';
import { ADMIN, expect, test } from './fixtures';
import { logIn } from './helpers';
import { saveScreens } from './screens';

test.describe.configure({ mode: 'serial' });

let registry: TestRegistry;
let image: string;

test.beforeAll(async ({ workerStack }) => {
  registry = await startRegistry();
  image = (await pushBusybox(registry)).reference;
  const pulled = await runCli(['-H', workerStack.agent.host, 'pull', '-q', image]);
  expect(pulled.code, pulled.stderr).toBe(0);
});
test.afterAll(async ({ workerStack }) => {
  await runCli(['-H', workerStack.agent.host, 'rm', '-f', 'charts-burner', 'charts-never-started']);
  await registry?.stop();
});

test('the charts of a container burning CPU show its recorded usage, live, over each range', async ({
  page,
  stack,
}) => {
  test.setTimeout(120_000);
  const cli = async (...args: string[]) => {
    const result = await runCli(['-H', stack.agent.host, ...args]);
    expect(result.code, result.stderr).toBe(0);
    return result.stdout.trim();
  };
  const burner = await cli(
    'run',
    '-d',
    '--name',
    'charts-burner',
    '--network',
    'none',
    '-m',
    '64m',
    image,
    'sh',
    '-c',
    'while :; do :; done',
  );
  const idle = await cli('create', '--name', 'charts-never-started', image, 'true');

  await logIn(page, stack.web, ADMIN.username, ADMIN.password);
  await page.getByTestId('host-row-local').getByRole('link', { name: 'local' }).click();
  await expect(page).toHaveURL(/\/hosts\/[a-z0-9]+$/);
  const hostPath = new URL(page.url()).pathname;

  // Never ran: nothing recorded, and the page says what to do.
  await page.goto(`${hostPath}/containers/${idle}/charts`);
  await expect(page.getByTestId('usage-empty')).toContainText('No samples yet');

  await page.goto(`${hostPath}/containers/${burner}/charts`);
  const cpu = page.getByTestId('chart-cpu');
  await expect(cpu).toBeVisible({ timeout: 15_000 });
  // The recorded seconds reach the chart: a few points, the newest a busy CPU.
  await expect
    .poll(async () => Number(await cpu.getAttribute('data-points')), { timeout: 20_000 })
    .toBeGreaterThanOrEqual(3);
  await expect
    .poll(async () => Number(await page.getByTestId('usage-latest-cpu').getAttribute('data-value')), {
      timeout: 20_000,
    })
    .toBeGreaterThan(10);
  await expect(cpu.locator('canvas')).toHaveCount(1);
  await expect(page.getByTestId('chart-memory')).toContainText('/ 64MiB');
  // The 5 minute view is live: more points arrive without a reload.
  const before = Number(await cpu.getAttribute('data-points'));
  await expect
    .poll(async () => Number(await cpu.getAttribute('data-points')), { timeout: 15_000 })
    .toBeGreaterThan(before);
  await saveScreens(page, 'container-charts');

  await page.getByTestId('usage-range-24h').click();
  await expect(page.getByTestId('usage-range-24h')).toHaveAttribute('aria-pressed', 'true');
  // 1440 minutes in at most 1200 points: 2 min buckets.
  await expect(page.getByText('2 min buckets (average and maximum)')).toBeVisible();
  await expect.poll(async () => Number(await cpu.getAttribute('data-points'))).toBeGreaterThanOrEqual(1);

  // A container that does not exist is an error on the page, not an empty chart.
  await page.goto(`${hostPath}/containers/${'0'.repeat(64)}/charts`);
  // The container page's own frame says so (the tab is not drawn for a container that does not exist).
  await expect(page.getByRole('heading', { name: 'No such container' })).toBeVisible({ timeout: 15_000 });
});
