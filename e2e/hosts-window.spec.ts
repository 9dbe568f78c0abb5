import { ADMIN, expect, test } from './fixtures';
import { logIn } from './helpers';
import { saveScreens } from './screens';

// Registers many hosts and counts rows: a stack of this file's own.
test.use({ stackName: 'hosts-window' });

const HOSTS = 60;
const nameOf = (n: number) => `host-${String(n).padStart(2, '0')}`;
// Strings, not functions: the e2e project is type-checked without the DOM library.
const ROWS_IN_DOM = 'document.querySelectorAll(\'[data-testid^="host-row-"]\').length';
const FOCUSED_ROW =
  'document.activeElement?.closest(\'[data-testid^="host-row-"]\')?.getAttribute("data-testid") ?? ""';

test('/hosts with many hosts renders only a window of rows: scrolling, sorting, search, keyboard and 390 px cards still reach every host', async ({
  page,
  stack,
}) => {
  test.setTimeout(180_000);
  const base = stack.web.baseURL;
  await logIn(page, stack.web, ADMIN.username, ADMIN.password);
  // Sixty hosts that all point at the stack's one agent: the page lists them as sixty rows.
  for (let n = 1; n <= HOSTS; n++) {
    const registered = await page.request.post(`${base}/api/trpc/hosts.create`, {
      data: { name: nameOf(n), transport: 'unix', socketPath: stack.agent.socketPath },
      headers: { origin: base },
    });
    expect(registered.ok(), await registered.text()).toBe(true);
  }

  await page.goto('/hosts');
  await expect(page.getByTestId('hosts-rows')).toHaveAttribute('data-total', String(HOSTS + 1));
  await expect(page.getByTestId('fleet-summary')).toContainText(`of ${HOSTS + 1}`);
  await expect(page.getByTestId(`host-row-${nameOf(1)}`)).toBeVisible();
  // Only a window: the rows on screen and a few either side, not all 61.
  const shown = await page.evaluate<number>(ROWS_IN_DOM);
  expect(shown).toBeGreaterThan(3);
  expect(shown).toBeLessThan(HOSTS / 2);
  await expect(page.getByTestId('host-row-local')).toHaveCount(0);
  await saveScreens(page, 'hosts-window');

  // Sorted by name, the last host is `local`: scrolling to the end brings it in and drops the first.
  await page.evaluate('window.scrollTo(0, document.documentElement.scrollHeight)');
  await expect(page.getByTestId('host-row-local')).toBeVisible();
  await expect(page.getByTestId(`host-row-${nameOf(1)}`)).toHaveCount(0);
  expect(await page.evaluate<number>(ROWS_IN_DOM)).toBeLessThan(HOSTS / 2);
  await page.evaluate('window.scrollTo(0, 0)');
  await expect(page.getByTestId(`host-row-${nameOf(1)}`)).toBeVisible();

  // Search narrows the list to the hosts that match, all of them rendered.
  await page.getByLabel('Search hosts').fill('host-5');
  await expect(page.getByTestId('hosts-rows')).toHaveAttribute('data-total', '10');
  await expect(page.locator('[data-testid^="host-row-"]')).toHaveCount(10);
  const names = await page.evaluate<string[]>(
    '[...document.querySelectorAll(\'[data-testid^="host-row-"]\')].map((row) => row.getAttribute("data-testid"))',
  );
  expect(names).toEqual(Array.from({ length: 10 }, (_, i) => `host-row-host-5${i}`));
  await page.getByLabel('Search hosts').fill('');
  await expect(page.getByTestId('hosts-rows')).toHaveAttribute('data-total', String(HOSTS + 1));

  // The keyboard walks past the first window: each Tab that reaches a row below brings in the next.
  await page
    .getByTestId(`host-row-${nameOf(1)}`)
    .getByRole('link', { name: nameOf(1) })
    .focus();
  const target = `host-row-${nameOf(45)}`;
  let reached = '';
  for (let press = 0; press < 400 && reached !== target; press++) {
    await page.keyboard.press('Tab');
    reached = await page.evaluate<string>(FOCUSED_ROW);
  }
  expect(reached).toBe(target);
  await expect(page.getByTestId(target)).toBeInViewport();
  expect(await page.evaluate<number>(ROWS_IN_DOM)).toBeLessThan(HOSTS / 2);

  // At 390 px each host is a card, still windowed, and nothing is wider than the screen.
  await page.evaluate('window.scrollTo(0, 0)');
  await page.setViewportSize({ width: 390, height: 844 });
  await expect(page.getByTestId(`host-row-${nameOf(1)}`)).toBeVisible();
  await expect(page.getByTestId(`host-row-${nameOf(1)}`).getByText('Memory', { exact: true })).toBeVisible();
  expect(await page.evaluate<number>(ROWS_IN_DOM)).toBeLessThan(HOSTS / 2);
  expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
  await page.evaluate('window.scrollTo(0, document.documentElement.scrollHeight)');
  await expect(page.getByTestId('host-row-local')).toBeVisible();
});
