/**
 * One dashboard web process of a cluster, for the multi-process test: the real services with the
 * cluster on (host leases, LISTEN/NOTIFY) and the real HTTP server (tRPC, sessions), pages stubbed.
 *
 *   DATABASE_URL=postgresql://… node --import tsx apps/web/test/harness/cluster-web-process.ts
 *
 * Prints one JSON line `{"port":…,"processId":"…"}` once it serves; SIGTERM leaves cleanly.
 * STEVEDORE_TEST_ALERTS (JSON `{ alertTiming, webhookRetry }`) makes alerts and webhooks fast.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import pino from 'pino';
import { createDb } from '../../src/server/db/client';
import { createWebServer } from '../../src/server/http/server';
import type { ControlPlaneOptions } from '../../src/server/services/index';
import { createControlPlane } from './control-plane';

const url = process.env.DATABASE_URL;
if (!url?.startsWith('postgres')) throw new Error('DATABASE_URL must be a PostgreSQL URL');
const db = createDb(url);
const alerts = process.env.STEVEDORE_TEST_ALERTS
  ? (JSON.parse(process.env.STEVEDORE_TEST_ALERTS) as Pick<
      ControlPlaneOptions,
      'alertTiming' | 'webhookRetry'
    >)
  : {};
const plane = createControlPlane(db, {
  ...alerts,
  cluster: { url },
  log: pino({ level: process.env.LOG_LEVEL ?? 'warn' }),
});
await plane.services.hosts.connectAll();
const cluster = plane.cluster;
if (!cluster) throw new Error('the cluster option did not make a cluster');
await cluster.start();
const server = createWebServer({
  services: plane.services,
  pages: {
    async handle(_req: IncomingMessage, res: ServerResponse) {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('page');
    },
  },
  secureCookies: false,
  trustProxy: false,
  log: pino({ level: 'warn' }),
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const { port } = server.address() as { port: number };
process.stdout.write(`${JSON.stringify({ port, processId: cluster.processId })}\n`);

process.once('SIGTERM', async () => {
  server.closeAllConnections();
  server.close();
  await plane.close();
  await db.$disconnect();
  process.exit(0);
});
