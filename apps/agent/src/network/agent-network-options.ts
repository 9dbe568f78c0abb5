import { join } from 'node:path';
import type { AgentConfig } from '../config/agent-config.js';
import type { EventBus } from '../events/event-bus.js';
import type { Logger } from '../util/logger.js';
import type { NetworkServiceOptions } from './network-context.js';
import { hostNameservers } from './network-dns.js';
import { NetworkService } from './network-service.js';
import { NetworkStore } from './network-store.js';

/** The agent's network service, forwarding DNS to --dns or else the host's nameservers. */
export async function agentNetworkService(
  config: AgentConfig,
  events: EventBus,
  log: Logger,
): Promise<NetworkService> {
  return NetworkService.create(
    agentNetworkOptions(config, events, log, config.dns.length > 0 ? config.dns : await hostNameservers()),
  );
}

export function agentNetworkOptions(
  config: AgentConfig,
  events: EventBus,
  log: Logger,
  upstreams: string[],
): NetworkServiceOptions {
  return {
    store: new NetworkStore(join(config.dataRoot, 'networks')),
    execRoot: config.execRoot,
    dataRoot: config.dataRoot,
    bridge: config.bridge,
    bip: config.bip,
    defaultAddressPools: config.defaultAddressPools,
    iptables: config.iptables,
    events,
    log: log.child({ module: 'networks' }),
    dns: config.dns,
    upstreams: () => upstreams,
  };
}
