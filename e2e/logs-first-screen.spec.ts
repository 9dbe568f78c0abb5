import { runCli } from '../apps/agent/test/harness/cli-process';
import type { TestRegistry } from '../apps/agent/test/harness/registry';
import { ADMIN, expect, test } from './fixtures';
import { logIn } from './helpers';
import { removeBusybox, startBusybox } from './test-containers';

const VIEWER = { username: 'log-reader', password: 'viewer password 1234' };
const WRITTEN = 1500;

test.use({ stackName: 'logs-first-screen' });

test('the Logs tab: the last lines come in the server-rendered HTML, for signed-in users only, and the browser does not read them again', async ({
  page,
  browser,
  playwright,
  stack,
}) => {
  test.setTimeout(120_000);
  let registry: TestRegistry | null = null;
  let id: string | null = null;
  try {
    ({ id, registry } = await startBusybox(
      stack.agent.host,
      [],
      [
        'sh',
        '-c',
        `i=0; while [ $i -lt ${WRITTEN} ]; do i=$((i+1)); echo "entry $i"; done; echo 'the very last entry'; sleep 3600`,
      ],
    ));
    await expect
      .poll(async () => (await runCli(['-H', stack.agent.host, 'logs', '--tail', '1', id as string])).stdout)
      .toContain('the very last entry');

    await logIn(page, stack.web, ADMIN.username, ADMIN.password);
    const href = await page
      .getByTestId('host-row-local')
      .getByRole('link', { name: 'local' })
      .getAttribute('href');
    const hostId = /\/hosts\/([^/]+)/.exec(href ?? '')?.[1];
    expect(hostId).toBeTruthy();
    const path = `/hosts/${hostId}/containers/${id}/logs`;

    // The admin's page: the last lines are in the HTML as rendered log lines, before any script runs.
    const html = await (await page.request.get(path)).text();
    expect(html).toMatch(/data-testid="log-line"[^>]*>.*?the very last entry/);
    expect(html).toMatch(new RegExp(`data-testid="log-line"[^>]*>.*?entry ${WRITTEN}<`));
    expect(html).toContain('data-testid="log-first-screen"');

    // In the browser the view goes on from those lines: following, without reading the page again.
    const pageReads: string[] = [];
    page.on('request', (request) => {
      if (request.url().includes('containers.logs.page')) pageReads.push(request.url());
    });
    await page.goto(path);
    await expect(page.getByTestId('log-follow-state')).toHaveText('● following');
    await expect(page.getByTestId('log-first-screen')).toHaveCount(0);
    await expect(page.getByTestId('log-line').filter({ hasText: 'the very last entry' })).toBeVisible();
    await expect(page.getByTestId('log-line').filter({ hasText: /^entry 1500$/ })).toBeVisible();
    expect(pageReads).toEqual([]);
    // Paging back still reads older pages through the API.
    await page.getByTestId('log-scroll').hover();
    await page.mouse.wheel(0, -1_000_000);
    await expect.poll(() => pageReads.length).toBeGreaterThan(0);

    // A viewer may read logs (the procedure is for every role): they get the lines in HTML too.
    const created = await page.request.post('/api/trpc/users.create', {
      data: { ...VIEWER, role: 'viewer' },
      headers: { origin: stack.web.baseURL },
    });
    expect(created.status(), await created.text()).toBe(200);
    const viewerContext = await browser.newContext({ baseURL: stack.web.baseURL });
    try {
      const viewer = await viewerContext.newPage();
      await logIn(viewer, stack.web, VIEWER.username, VIEWER.password);
      const viewerHtml = await (await viewer.request.get(path)).text();
      expect(viewerHtml).toMatch(/data-testid="log-line"[^>]*>.*?the very last entry/);
    } finally {
      await viewerContext.close();
    }

    // Without a session, or with a forged one, the procedure would refuse: no lines, a redirect to log in.
    const anonymous = await playwright.request.newContext({ baseURL: stack.web.baseURL });
    try {
      for (const headers of [
        {} as Record<string, string>,
        { cookie: 'stevedore_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' },
      ]) {
        const refused = await anonymous.get(path, { headers, maxRedirects: 0 });
        expect(refused.status()).toBe(302);
        expect(refused.headers().location).toContain('/login?next=');
        expect(await refused.text()).not.toContain('the very last entry');
      }
    } finally {
      await anonymous.dispose();
    }
  } finally {
    await removeBusybox(stack.agent.host, id, registry);
  }
});
