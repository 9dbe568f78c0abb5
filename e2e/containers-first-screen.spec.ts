import type { TestRegistry } from '../apps/agent/test/harness/registry';
import { ADMIN, expect, test } from './fixtures';
import { logIn } from './helpers';
import { removeBusybox, startBusybox } from './test-containers';

const NAME = 'first-screen-box';
const OPERATOR = { username: 'no-grant-op', password: 'operator password 1234' };

// Its own stack: the list's count is asserted.
test.use({ stackName: 'containers-first-screen' });

test('/containers: the first rows and the count come in the server-rendered HTML, with the actions the user may take, and the live list goes on from them', async ({
  page,
  browser,
  playwright,
  stack,
}) => {
  test.setTimeout(120_000);
  let registry: TestRegistry | null = null;
  let id: string | null = null;
  try {
    ({ id, registry } = await startBusybox(stack.agent.host, ['--name', NAME], ['sleep', '3600']));
    await logIn(page, stack.web, ADMIN.username, ADMIN.password);

    // The admin's page: the row, its state, its actions and the count, before any script runs. The
    // first render may find the list cold (nobody watched) and not wait for it; it warms it.
    let html = '';
    await expect
      .poll(async () => {
        html = await (await page.request.get('/containers')).text();
        return html.includes(`data-testid="container-row-${NAME}"`);
      })
      .toBe(true);
    expect(html).toContain(`data-testid="container-row-${NAME}"`);
    expect(html).toMatch(/data-testid="containers-count" data-total="1"/);
    expect(html).toMatch(/>1 of 1 containers on 1 host</);
    expect(html).toContain(`aria-label="stop ${NAME}"`);

    // In the browser the live list takes over (data-live) without asking for the first screen again.
    const firstScreenReads: string[] = [];
    page.on('request', (request) => {
      if (request.url().includes('containers.fleet.firstScreen')) firstScreenReads.push(request.url());
    });
    await page.goto('/containers');
    await expect(page.getByTestId('containers-count')).toHaveAttribute('data-live', '');
    await expect(page.getByTestId(`container-row-${NAME}`).getByTestId('container-state')).toHaveText(
      /running/,
    );
    await expect(page.getByTestId('containers-count')).toHaveText('1 of 1 containers on 1 host');
    expect(firstScreenReads).toEqual([]);

    // An operator without a grant on the host: the rows (every signed-in role may see every host's
    // containers, as the live list's procedure), but no action on them, in the HTML as in the page.
    const created = await page.request.post('/api/trpc/users.create', {
      data: { ...OPERATOR, role: 'operator' },
      headers: { origin: stack.web.baseURL },
    });
    expect(created.status(), await created.text()).toBe(200);
    const operatorContext = await browser.newContext({ baseURL: stack.web.baseURL });
    try {
      const operator = await operatorContext.newPage();
      await logIn(operator, stack.web, OPERATOR.username, OPERATOR.password);
      let operatorHtml = '';
      await expect
        .poll(async () => {
          operatorHtml = await (await operator.request.get('/containers')).text();
          return operatorHtml.includes(`data-testid="container-row-${NAME}"`);
        })
        .toBe(true);
      expect(operatorHtml).toContain(`data-testid="container-row-${NAME}"`);
      expect(operatorHtml).not.toContain(`aria-label="stop ${NAME}"`);
      expect(operatorHtml).not.toContain(`aria-label="Select ${NAME}"`);
    } finally {
      await operatorContext.close();
    }

    // Without a session, or with a forged one: a redirect to log in, no row.
    const anonymous = await playwright.request.newContext({ baseURL: stack.web.baseURL });
    try {
      for (const headers of [
        {} as Record<string, string>,
        { cookie: 'stevedore_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' },
      ]) {
        const refused = await anonymous.get('/containers', { headers, maxRedirects: 0 });
        expect(refused.status()).toBe(302);
        expect(refused.headers().location).toContain('/login?next=');
        expect(await refused.text()).not.toContain(NAME);
      }
    } finally {
      await anonymous.dispose();
    }
  } finally {
    await removeBusybox(stack.agent.host, id, registry);
  }
});
