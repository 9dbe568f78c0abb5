import { join } from 'node:path';
import { startApiServer } from './api/server.js';
import { prepareSocketPath } from './api/unix-socket.js';
import { startApiServices } from './api-services.js';
import { TokenStore } from './auth/token-store.js';
import type { AgentConfig } from './config/agent-config.js';
import { parseHostAddress } from './config/host-address.js';
import { type AgentPaths, agentPaths, prepareRoots } from './config/paths.js';
import { withRootLocks } from './config/root-locks.js';
import { EventBus } from './events/event-bus.js';
import { EventsService } from './events/events-service.js';
import { startEngine } from './start-engine.js';
import { settledMigrationMessage, settleMigration } from './system/migration/settle-migration.js';
import type { Logger } from './util/logger.js';

/**
 * Runs the agent on `config` until SIGTERM/SIGINT (then 0) or until a data-root migration asks
 * for a restart on the configuration it switched ('reload').
 */
export async function runAgent(config: AgentConfig, log: Logger): Promise<number | 'reload'> {
  const paths = agentPaths(config);
  await prepareRoots(paths);
  // Two agents on one root would hand out the same addresses and adopt each other's containers.
  return withRootLocks(paths, 0, () => runLocked(config, paths, log));
}

async function runLocked(config: AgentConfig, paths: AgentPaths, log: Logger): Promise<number | 'reload'> {
  const settled = await settleMigration(paths.dataRoot, log.child({ module: 'migration' }));
  // Refuse a socket another agent serves before touching bridges, rules or containers.
  for (const host of config.hosts) {
    const address = parseHostAddress(host);
    if (address.kind === 'unix') await prepareSocketPath(address.path);
  }
  const tokens = await TokenStore.open(paths.tokensFile);
  const events = new EventBus();
  const eventsService = new EventsService(
    events,
    join(paths.dataRoot, 'events.jsonl'),
    log.child({ module: 'events' }),
  );
  await eventsService.init();
  const engine = await startEngine(config, paths, events, log);
  const { containers, system, networks, images, stats, health } = engine;
  let reload: () => void = () => {};
  const { services, registries, prune } = await startApiServices({
    config,
    paths,
    engine,
    events,
    eventsService,
    tokens,
    requestReload: () => reload(),
    log,
  });
  const api = await startApiServer({
    hosts: config.hosts,
    tls: config.tlsCert && config.tlsKey ? { certFile: config.tlsCert, keyFile: config.tlsKey } : null,
    services,
    verifyToken: (token) => tokens.verify(token),
    log: log.child({ module: 'api' }),
  });
  for (const warning of networks.warnings) system.addWarning(warning);
  // Before the first await after listening: `info` must already say so when the socket answers.
  if (settled?.outcome === 'rolled back') system.addWarning(`WARNING: ${settledMigrationMessage(settled)}`);
  tokens.onRemoved((id) => api.disconnectToken(id));
  for (const address of api.addresses) {
    if (address.startsWith('tcp://') && !config.tlsCert) {
      const warning = `WARNING: API is accessible on ${address} without encryption (loopback only, token required)`;
      system.addWarning(warning);
      log.warn(warning);
    }
  }
  log.info(
    { addresses: api.addresses, dataRoot: config.dataRoot },
    `API listening on ${api.addresses.join(', ')}`,
  );

  if (settled) {
    for (const id of settled.stopped) {
      await containers
        .start(id)
        .catch((error) => log.warn({ err: error, id }, 'restart after migration failed'));
    }
    log.info(settledMigrationMessage(settled));
    events.publish('daemon', 'migrate-root', system.engineId, {
      outcome: settled.outcome,
      source: settled.source,
      target: settled.target,
    });
  }

  const stop = await new Promise<NodeJS.Signals | 'reload'>((resolve) => {
    const onTerm = () => resolve('SIGTERM');
    const onInt = () => resolve('SIGINT');
    process.once('SIGTERM', onTerm);
    process.once('SIGINT', onInt);
    reload = () => {
      process.off('SIGTERM', onTerm);
      process.off('SIGINT', onInt);
      resolve('reload');
    };
  });
  stats.close();
  health.close();
  await registries.close();
  await prune.close();
  if (stop === 'reload') {
    await api.close();
    await containers.close(false);
    await networks.close();
    await images.close();
    return 'reload';
  }
  log.info({ signal: stop }, 'shutting down');
  // A second signal while draining means "now".
  const forceExit = () => process.exit(1);
  process.once('SIGTERM', forceExit);
  process.once('SIGINT', forceExit);
  await api.close();
  await containers.close(!config.liveRestore);
  await networks.close();
  await images.close();
  log.info('stopped');
  return 0;
}
