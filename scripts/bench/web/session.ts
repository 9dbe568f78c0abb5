/** The benchmark's admin session on the dashboard: log in, call its tRPC API, wait for hosts. */
import type { BrowserContext } from '@playwright/test';
import type { WebServer } from '../../../e2e/harness/web-server';
import { sleep } from './measure';

export const ADMIN = { username: 'admin', password: 'bench password 1234' };

export async function logIn(context: BrowserContext, web: WebServer): Promise<void> {
  const page = await context.newPage();
  await page.goto(`${web.baseURL}/login`);
  await page.getByLabel('Username').fill(ADMIN.username);
  await page.getByLabel('Password').fill(ADMIN.password);
  await page.getByLabel('Set-up code').fill(web.setupCode);
  await page.getByRole('button', { name: 'Create admin and log in' }).click();
  await page.waitForURL(/\/hosts$/);
  await page.close();
}

/** A tRPC v11 mutation over HTTP as the logged-in admin (same-origin, as the dashboard's own forms). */
export async function trpcMutation(
  context: BrowserContext,
  baseURL: string,
  path: string,
  input: unknown,
): Promise<unknown> {
  const response = await context.request.post(`${baseURL}/api/trpc/${path}`, {
    data: input,
    headers: { origin: baseURL },
  });
  if (!response.ok()) throw new Error(`${path} answered ${response.status()}: ${await response.text()}`);
  return ((await response.json()) as { result: { data: unknown } }).result.data;
}

/** Waits until every named host is online; resolves their ids by name. */
export async function waitForOnline(
  context: BrowserContext,
  baseURL: string,
  names: string[],
  timeoutMs = 60_000,
): Promise<Map<string, string>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const response = await context.request.get(`${baseURL}/api/trpc/hosts.list`);
    const hosts = ((await response.json()) as { result: { data: HostRow[] } }).result.data;
    const online = hosts.filter((h) => names.includes(h.name) && h.status.state === 'online').length;
    if (online === names.length) return new Map(hosts.map((h) => [h.name, h.id]));
    if (Date.now() > deadline)
      throw new Error(`only ${online} of ${names.length} simulated hosts came online`);
    await sleep(200);
  }
}
interface HostRow {
  id: string;
  name: string;
  status: { state: string };
}
