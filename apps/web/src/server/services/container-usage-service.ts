import type { HostUsageHistoryInput, UsageHistory } from '@stevedore/shared';
import type { Db } from '../db/client';
import { getHost } from '../db/repositories/hosts';
import type { AgentHub } from '../hub/agent-hub';

/** A container's usage history, read from its host's agent (which records it). */
export class ContainerUsageService {
  constructor(
    private readonly db: Db,
    private readonly hub: AgentHub,
  ) {}

  async history(input: HostUsageHistoryInput): Promise<UsageHistory> {
    const { hostId, ...query } = input;
    await getHost(this.db, hostId);
    return this.hub.call(hostId, (client) => client.usage.history.query(query));
  }
}
