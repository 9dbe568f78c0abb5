import { join } from 'node:path';
import pino from 'pino';
import { loadEnv } from '../env';
import { loadSecretBox } from './crypto/secret-box';
import { createDb, providerOf } from './db/client';
import { createNextPages } from './http/next-pages';
import { pageCallerFactory } from './http/page-caller';
import { createWebServer, keepServingOnStrayErrors } from './http/server';
import { connectAgent } from './hub/connect-agent';
import { createControlPlaneServices } from './services/index';
import { publishPageCaller } from './ssr/page-caller-bridge';

// Composition root: env → log → db → secrets → hub + services → pages → HTTP server.
async function main(): Promise<void> {
  const env = loadEnv();
  const log = pino({ level: env.LOG_LEVEL });
  keepServingOnStrayErrors(log);
  const databaseUrl = env.DATABASE_URL ?? `file:${join(env.STEVEDORE_DATA_DIR, 'stevedore.db')}`;
  const db = createDb(databaseUrl);
  const secrets = loadSecretBox(env.STEVEDORE_DATA_DIR, env.STEVEDORE_SECRET_KEY);
  const plane = createControlPlaneServices({
    db,
    secrets,
    connect: connectAgent,
    log,
    agentPackageDir: env.STEVEDORE_AGENT_PACKAGE,
    retention: { days: env.STEVEDORE_EVENTS_RETENTION_DAYS, max: env.STEVEDORE_EVENTS_MAX },
    setupCodeFile: join(env.STEVEDORE_DATA_DIR, 'setup-code'),
    // On PostgreSQL any number of processes may share the fleet; on SQLite this one follows it all.
    ...(providerOf(databaseUrl) === 'postgresql' ? { cluster: { url: databaseUrl } } : {}),
  });
  const { services } = plane;
  await services.events.prune();
  await services.auth.startSessionSweeper();
  const setupCodeFile = await services.auth.prepareSetup();
  if (setupCodeFile) {
    log.info(
      { file: setupCodeFile },
      'no admin yet: creating the first admin needs the set-up code in this file',
    );
  }
  if (env.STEVEDORE_LOCAL_AGENT_SOCKET) await services.hosts.ensureLocal(env.STEVEDORE_LOCAL_AGENT_SOCKET);
  await services.hosts.connectAll();
  await plane.cluster?.start();

  publishPageCaller(pageCallerFactory(services));
  const pages = await createNextPages({
    dev: env.NODE_ENV === 'development',
    hostname: env.HOSTNAME,
    port: env.PORT,
  });
  const server = createWebServer({
    services,
    pages,
    secureCookies: env.STEVEDORE_SECURE_COOKIES,
    trustProxy: env.STEVEDORE_TRUST_PROXY,
    log,
  });
  server.listen(env.PORT, env.HOSTNAME, () => {
    log.info({ url: `http://${env.HOSTNAME}:${env.PORT}` }, 'Stevedore dashboard listening');
  });

  const shutdown = async (signal: string) => {
    log.info({ signal }, 'shutting down');
    server.close();
    await plane.close();
    await db.$disconnect();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
