import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { runCli } from '../apps/agent/test/harness/cli-process';
import { startRegistry, type TestRegistry } from '../apps/agent/test/harness/registry';
import { pushBusybox } from '../apps/agent/test/harness/test-images';
import { ADMIN, expect, type Stack, test } from './fixtures';
import { logIn } from './helpers';
import { saveScreens } from './screens';

test.describe.configure({ mode: 'serial' });

const HOG = 'e2e-hog';

let registry: TestRegistry;
let image: string;
let receiver: Server;
let receiverUrl: string;
const received: { event: string; containerName: string | null; secret: string | undefined }[] = [];

async function cli(stack: Stack, args: string[]) {
  return runCli(['-H', stack.agent.host, ...args]);
}

test.beforeAll(async ({ workerStack: stack }) => {
  registry = await startRegistry();
  image = (await pushBusybox(registry)).reference;
  const pulled = await cli(stack, ['pull', '-q', image]);
  expect(pulled.code, pulled.stderr).toBe(0);
  receiver = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        event: string;
        target: { containerName: string | null };
      };
      const secret = request.headers['x-hook-secret'];
      received.push({
        event: body.event,
        containerName: body.target.containerName,
        secret: typeof secret === 'string' ? secret : undefined,
      });
      response.end('ok');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/stevedore`;
});

test.afterAll(async ({ workerStack: stack }) => {
  await cli(stack, ['rm', '-f', HOG]);
  receiver?.close();
  await registry?.stop();
});

test('an OOM rule and a webhook made in the UI: an OOM kill shows in the bell and reaches the receiver', async ({
  page,
  stack,
}) => {
  await logIn(page, stack.web, ADMIN.username, ADMIN.password);
  await page.getByRole('link', { name: 'Alerts', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Alerts', level: 1 })).toBeVisible();
  await expect(page.getByTestId('rules-empty')).toContainText('No rules yet');

  // The rule: the form validates before anything is sent.
  await page.getByRole('button', { name: 'New rule' }).click();
  const ruleForm = page.getByRole('form', { name: 'New alert rule' });
  await ruleForm.getByLabel('Name').fill('');
  await ruleForm.getByRole('button', { name: 'Create rule' }).click();
  await expect(ruleForm.getByText('give the rule a name')).toBeVisible();
  await ruleForm.getByLabel('Name').fill('Out of memory');
  await ruleForm.getByLabel('Condition').selectOption('oom');
  await ruleForm.getByLabel(/Resolve after/).fill('5');
  await ruleForm.getByLabel('Container labels').fill('e2e-alerts=oom');
  await ruleForm.getByRole('button', { name: 'Create rule' }).click();
  await expect(page.getByTestId('rule-row-Out of memory')).toContainText('OOM kill');
  await expect(page.getByTestId('rule-row-Out of memory')).toContainText('labels e2e-alerts=oom');

  // The webhook: a non-http URL is refused in the form.
  await page.getByRole('button', { name: 'Add webhook' }).click();
  const hookForm = page.getByRole('form', { name: 'New webhook' });
  await hookForm.getByLabel('Name').fill('Receiver');
  await hookForm.getByLabel('URL').fill('ftp://127.0.0.1/x');
  await hookForm.getByRole('button', { name: 'Add webhook' }).click();
  await expect(hookForm.getByText('must be an http:// or https:// URL')).toBeVisible();
  await hookForm.getByLabel('URL').fill(receiverUrl);
  await hookForm.getByLabel('Secret header (optional)').fill('X-Hook-Secret');
  await hookForm.getByLabel('Secret value').fill('e2e-secret');
  await hookForm.getByRole('button', { name: 'Add webhook' }).click();
  await expect(page.getByTestId('webhook-row-Receiver')).toContainText('none yet');

  // The OOM kill.
  const run = await cli(stack, [
    'run',
    '--name',
    HOG,
    '--memory',
    '16m',
    '--memory-swap',
    '16m',
    '--label',
    'e2e-alerts=oom',
    image,
    'sh',
    '-c',
    'dd if=/dev/zero of=/dev/null bs=64M count=1',
  ]);
  expect(run.code, run.stderr).toBe(137);

  const bell = page.getByTestId('alerts-bell');
  await expect(page.getByTestId('alerts-count')).toHaveText('1', { timeout: 15_000 });
  await expect(page.getByTestId('alerts-history')).toContainText(`${HOG} was killed: out of memory`);
  await expect(page.getByTestId('webhook-row-Receiver').getByTestId('webhook-last-delivery')).toContainText(
    'delivered',
    { timeout: 15_000 },
  );
  await expect.poll(() => received.length).toBeGreaterThan(0);
  expect(received[0]).toEqual({ event: 'fired', containerName: HOG, secret: 'e2e-secret' });
  await saveScreens(page, 'alerts-page');

  await bell.click();
  const panel = page.getByTestId('alerts-panel');
  await expect(panel).toContainText('Alerts firing (1)');
  await expect(panel).toContainText(`${HOG} was killed: out of memory`);
  await saveScreens(page, 'alerts-panel');
  await panel.getByRole('link', { name: new RegExp(`${HOG} on`) }).click();
  await expect(page).toHaveURL(/\/hosts\/[^/]+\/containers\/[0-9a-f]{64}$/);
});

test('viewers see the alerts but not the controls that manage them', async ({ page, stack }) => {
  await logIn(page, stack.web, ADMIN.username, ADMIN.password);
  await page.goto('/users');
  await page.getByLabel('Username').fill('alert-viewer');
  await page.getByLabel('Password').fill('alert viewer password');
  await page.getByRole('button', { name: 'Add user' }).click();
  await expect(page.getByTestId('user-row-alert-viewer')).toBeVisible();
  await page.getByRole('button', { name: 'Log out' }).click();
  await logIn(page, stack.web, 'alert-viewer', 'alert viewer password');
  await page.goto('/alerts');
  await expect(page.getByTestId('rule-row-Out of memory')).toBeVisible();
  await expect(page.getByRole('button', { name: 'New rule' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Add webhook' })).toHaveCount(0);
  await expect(page.getByTestId('alerts-count')).toHaveText('1');
});
