/**
 * The set-up the fleet-wide API benchmarks share: the built dashboard with its admin made, a
 * simulated fleet (scripts/bench/fleet-sim.ts) registered as hosts over their unix sockets, and
 * every host online. Calls go through the dashboard's tRPC HTTP API as that admin.
 */
import { type APIRequestContext, request } from '@playwright/test';
import { startWebServer, type WebServer } from '../../../e2e/harness/web-server';
import { type FleetShape, type Simulator, startSimulator } from './fleet-simulator';
import { sleep } from './measure';
import { ADMIN } from './session';

export interface ApiFleet {
  web: WebServer;
  sim: Simulator;
  /** A tRPC call over HTTP: a mutation (POST, same-origin) or, with `mutation` false, a query. */
  call<T>(path: string, input: unknown, mutation?: boolean): Promise<T>;
  stop(): Promise<void>;
}

/** How simulated host `index` (from 0) is registered. */
export type HostEntry = (index: number) => { name: string; labels?: Record<string, string> };

export async function startApiFleet(shape: FleetShape, host: HostEntry): Promise<ApiFleet> {
  let web: WebServer | undefined;
  let sim: Simulator | undefined;
  let api: APIRequestContext | undefined;
  const stop = async () => {
    await api?.dispose();
    await web?.stop().catch((error: Error) => console.error(`stopping the web server: ${error.message}`));
    await sim?.stop();
  };
  try {
    web = await startWebServer();
    const context = await request.newContext();
    api = context;
    const base = web.baseURL;
    const call = async <T>(path: string, input: unknown, mutation = true): Promise<T> => {
      const response = mutation
        ? await context.post(`${base}/api/trpc/${path}`, { data: input, headers: { origin: base } })
        : await context.get(`${base}/api/trpc/${path}?input=${encodeURIComponent(JSON.stringify(input))}`);
      if (!response.ok()) throw new Error(`${path} answered ${response.status()}: ${await response.text()}`);
      return ((await response.json()) as { result: { data: T } }).result.data;
    };
    await call('auth.setup', { ...ADMIN, setupCode: web.setupCode });
    sim = await startSimulator(shape);
    for (const [i, socketPath] of sim.sockets.entries()) {
      await call('hosts.create', { ...host(i), transport: 'unix', socketPath });
    }
    const deadline = Date.now() + 60_000;
    for (;;) {
      const hosts = await call<{ status: { state: string } }[]>('hosts.list', undefined, false);
      if (hosts.filter((h) => h.status.state === 'online').length === shape.hosts) break;
      if (Date.now() > deadline) throw new Error('the simulated hosts did not come online');
      await sleep(200);
    }
    return { web, sim, call, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
