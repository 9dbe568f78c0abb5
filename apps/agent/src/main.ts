import { isStevedoreError } from '@stevedore/shared';
import { AGENT_FLAGS, type AgentConfig } from './config/agent-config.js';
import { ConfigError, loadAgentConfig } from './config/load-config.js';
import { agentPaths } from './config/paths.js';
import { withRootLocks } from './config/root-locks.js';
import { EventBus } from './events/event-bus.js';
import { agentNetworkOptions } from './network/agent-network-options.js';
import { NetworkService } from './network/network-service.js';
import { runAgent } from './run-agent.js';
import { removeDanglingSocketLinks } from './runtime/containers/orphans.js';
import { AGENT_VERSION, gitCommit } from './system/version.js';
import { formatFlagHelp } from './util/argv.js';
import { createLogger } from './util/logger.js';
import { installProcessGuards } from './util/process-guards.js';

const USAGE = `Usage:\tstevedore-agent [OPTIONS]

The Stevedore container engine agent.

Options:
${formatFlagHelp(AGENT_FLAGS)}
`;

/** The composition root: config → store → services → API, then run until SIGTERM/SIGINT. */
export async function main(argv: readonly string[]): Promise<number> {
  let config: AgentConfig;
  let loadedAction: 'run' | 'cleanup';
  try {
    const loaded = await loadAgentConfig(argv);
    if (loaded.action === 'help') {
      process.stdout.write(USAGE);
      return 0;
    }
    if (loaded.action === 'version') {
      process.stdout.write(`Stevedore agent version ${AGENT_VERSION}, build ${await gitCommit()}\n`);
      return 0;
    }
    config = loaded.config;
    loadedAction = loaded.action;
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      return 1;
    }
    throw error;
  }

  const log = createLogger(config.logLevel);
  installProcessGuards(log);
  try {
    if (loadedAction === 'cleanup') {
      // Never under a live agent's feet; one just killed gets a moment to be gone.
      const cleanupConfig = config;
      await withRootLocks(agentPaths(config), 15, async () => {
        await NetworkService.cleanup(agentNetworkOptions(cleanupConfig, new EventBus(), log, []));
        await removeDanglingSocketLinks(cleanupConfig.execRoot);
      });
      return 0;
    }
    // A data-root migration restarts the agent in this process, on the configuration it switched.
    for (;;) {
      const outcome = await runAgent(config, log);
      if (outcome !== 'reload') return outcome;
      const reloaded = await loadAgentConfig(argv);
      if (reloaded.action !== 'run') return 1;
      config = reloaded.config;
      log.info({ dataRoot: config.dataRoot }, 'restarting on the new configuration');
    }
  } catch (error) {
    log.debug({ err: error }, 'start-up failed');
    const message = isStevedoreError(error) || error instanceof Error ? error.message : String(error);
    process.stderr.write(`failed to start agent: ${message}\n`);
    return 1;
  }
}
