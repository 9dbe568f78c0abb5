import type { TestRegistry } from '../apps/agent/test/harness/registry';
import { ADMIN, expect, test } from './fixtures';
import { logIn } from './helpers';
import { saveScreens } from './screens';
import { removeBusybox, startBusybox } from './test-containers';

const NUMBERED = 5000;

test('the Logs tab: follow, search far back, page back to line 1, download the whole log', async ({
  page,
  stack,
}) => {
  test.setTimeout(180_000);
  let registry: TestRegistry | null = null;
  let id: string | null = null;
  try {
    ({ id, registry } = await startBusybox(
      stack.agent.host,
      [],
      [
        'sh',
        '-c',
        `i=0; while [ $i -lt ${NUMBERED} ]; do i=$((i+1)); echo "line $i"; done; printf '\\033[32mgreen line\\033[0m\\n'; echo 'oops on stderr' >&2; while :; do i=$((i+1)); echo "tick $i"; sleep 0.5; done`,
      ],
    ));

    await logIn(page, stack.web, ADMIN.username, ADMIN.password);
    await page.getByTestId('host-row-local').getByRole('link', { name: 'local' }).click();
    await expect(page).toHaveURL(/\/hosts\/[a-z0-9]+$/);
    const hostId = new URL(page.url()).pathname.split('/').at(-1) as string;
    await page.goto(`/hosts/${hostId}/containers/${id}/logs`);

    const lines = page.getByTestId('log-line');
    // Following: ticks written after the page opened appear.
    await expect(page.getByTestId('log-follow-state')).toHaveText('● following');
    const lastTick = async () => {
      const texts = await lines.filter({ hasText: /^tick \d+$/ }).allTextContents();
      return Math.max(0, ...texts.map((t) => Number(t.replace('tick ', ''))));
    };
    await expect.poll(lastTick).toBeGreaterThan(NUMBERED + 2);
    const seen = await lastTick();
    await expect.poll(lastTick, { timeout: 10_000 }).toBeGreaterThan(seen + 2);

    // ANSI colours are rendered (not printed as escape codes): the line found by a plain search.
    const search = page.getByTestId('log-search');
    await search.fill('GREEN line');
    await search.press('Enter');
    const match = page.locator('[data-current="true"]');
    await expect(match.getByTestId('log-match')).toHaveText('green line');
    await expect(match).not.toContainText('[32m');
    expect(await match.locator('[style*="color"]').count()).toBeGreaterThan(0);
    await expect(page.getByTestId('log-follow-state')).toHaveText('paused');
    await search.press('Escape');

    // stderr is told apart, and can be shown alone.
    await page.getByLabel('Streams').selectOption('stderr');
    await expect(lines).toHaveCount(1);
    await expect(lines.first()).toHaveText('oops on stderr');
    await expect(lines.first()).toHaveAttribute('data-stream', 'stderr');
    await page.getByLabel('Streams').selectOption('both');
    await expect(lines.filter({ hasText: /^line \d+$/ }).first()).toBeVisible();

    // Search for a line far back (outside the lines loaded): Enter looks below, wraps to the top,
    // and the agent's match is shown highlighted.
    await page.getByTitle('Regular expression').check();
    await search.fill('^line 17$');
    await expect(page.getByTestId('log-search-status')).toHaveText('1 matching line');
    await search.press('Enter');
    await expect(match).toBeVisible();
    await expect(match.getByTestId('log-match')).toHaveText('line 17');
    await expect(page.getByTestId('log-search-status')).toHaveText('wrapped to the top');
    await expect(page.getByTestId('log-follow-state')).toHaveText('paused');
    await saveScreens(page, 'container-logs');
    // Shift+Enter: no earlier match, so it wraps to the bottom and finds the same line; Esc clears.
    await search.press('Shift+Enter');
    await expect(page.getByTestId('log-search-status')).toHaveText('wrapped to the bottom');
    await expect(match.getByTestId('log-match')).toHaveText('line 17');
    await search.press('Escape');
    await expect(search).toHaveValue('');
    await expect(page.getByTestId('log-match')).toHaveCount(0);

    // Back to the end, then page back by scrolling up until line 1.
    await page.getByTestId('log-follow').click();
    await expect(page.getByTestId('log-follow-state')).toHaveText('● following');
    // At the end again (the numbered lines are off screen by now: ticks keep coming, however slow the machine).
    await expect(lines.filter({ hasText: /^tick \d+$/ }).last()).toBeVisible();
    const scroller = page.getByTestId('log-scroll');
    await expect
      .poll(
        async () => {
          await scroller.hover();
          await page.mouse.wheel(0, -1_000_000);
          return page.getByTestId('log-start').isVisible();
        },
        { timeout: 60_000, intervals: [300] },
      )
      .toBe(true);
    await expect(lines.first()).toHaveText('line 1');

    // The download holds the whole log, with times and streams.
    const download = await page.request.get(
      `/api/logs/download?hostId=${encodeURIComponent(hostId)}&container=${id}`,
    );
    expect(download.status()).toBe(200);
    expect(download.headers()['content-disposition']).toContain('attachment');
    const text = await download.text();
    const rows = text.trimEnd().split('\n');
    expect(rows.length).toBeGreaterThan(NUMBERED + 2);
    expect(rows[0]).toMatch(/^\d{4}-\d\d-\d\dT\S+ stdout line 1$/);
    // In the file's order: conmon may write the stderr line before the last stdout batch.
    const stdoutRows = rows.filter((row) => / stdout /.test(row));
    expect(stdoutRows[NUMBERED - 1]).toMatch(/ stdout line 5000$/);
    expect(rows).toContainEqual(expect.stringMatching(/ stderr oops on stderr$/));
    // Without a session there is no download.
    const anonymous = await page.request.get(`/api/logs/download?hostId=${hostId}&container=${id}`, {
      headers: { cookie: '' },
    });
    expect(anonymous.status()).toBe(401);
  } finally {
    await removeBusybox(stack.agent.host, id, registry);
  }
});
