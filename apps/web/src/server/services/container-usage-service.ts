import {
  type ErrorCode,
  ErrorCodes,
  type HostUsageHistoryInput,
  StevedoreError,
  type UsageHistory,
} from '@stevedore/shared';
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
    try {
      return await this.hub.call(hostId, (client) => client.usage.history.query(query));
    } catch (error) {
      throw withAgentCode(error, { hostId, container: input.container });
    }
  }
}

/** The agent's own error category (NOT_FOUND for a removed container), instead of a 500. */
function withAgentCode(error: unknown, context: Record<string, unknown>): unknown {
  const code = (error as { data?: { stevedoreCode?: unknown } } | null)?.data?.stevedoreCode;
  if (typeof code !== 'string' || !(ErrorCodes as readonly string[]).includes(code)) return error;
  return new StevedoreError(code as ErrorCode, (error as Error).message, context);
}
