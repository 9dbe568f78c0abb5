import {
  type ApplyLimitsInput,
  ApplyLimitsInputSchema,
  type ContainerLimits,
  ContainerLimitsSchema,
  countIncidents,
  type FleetEvent,
  type HostContainerRefInput,
  LIMIT_FIELDS,
  type LimitsRecommendation,
  type RecommendLimitsInput,
  RecommendLimitsInputSchema,
  type RecommendPolicy,
  recommendationChart,
  recommendLimits,
  type SessionUser,
  type UpdateResult,
  UpdateResultSchema,
  USAGE_RANGES,
} from '@stevedore/shared';
import type { Db } from '../db/client';
import { getHost } from '../db/repositories/hosts';
import type { AgentClient, AgentHub } from '../hub/agent-hub';
import { agentCall } from './agent-errors';
import { audited } from './audited';
import type { EventService } from './event-service';

/** The most events read back for a window's OOM kills and restarts (pages of 500, newest first). */
const MAX_EVENT_PAGES = 4;

/** The limits a panel shows, changed live and proven from the cgroup files; and what they should be. */
export class ContainerLimitsService {
  constructor(
    private readonly db: Db,
    private readonly hub: AgentHub,
    private readonly eventFeed: EventService,
  ) {}

  async get({ hostId, container }: HostContainerRefInput): Promise<ContainerLimits> {
    await getHost(this.db, hostId);
    return agentCall({ hostId, container }, () =>
      this.hub.call(hostId, (client) => this.readLimits(client, container)),
    );
  }

  /**
   * `update` with the form's changes; the audit entry keeps the configured values before and the
   * values the kernel holds after (read back from the cgroup files), for the fields that changed.
   * A refused change (the kernel's or the engine's) fails as a whole: nothing is applied.
   */
  async apply(actor: SessionUser, input: ApplyLimitsInput): Promise<UpdateResult> {
    const { hostId, container, changes } = ApplyLimitsInputSchema.parse(input);
    await getHost(this.db, hostId);
    const fields = LIMIT_FIELDS.filter((field) => changes[field] !== undefined);
    return agentCall({ hostId, container }, () =>
      this.hub.call(hostId, async (client) => {
        const before = (await client.containers.inspect.query({ container })).HostConfig;
        // audited() writes this object once the action has finished, so `after` set below is in the entry.
        const params: Record<string, unknown> = {
          changes,
          before: Object.fromEntries(fields.map((field) => [field, before[field]])),
        };
        if (changes.RestartPolicy) params.restartPolicyBefore = before.RestartPolicy;
        return audited(
          this.db,
          actor,
          { action: 'container.limits', hostId, target: container, params },
          async () => {
            const answer = await client.containers.update.mutate({
              container,
              resources: changes,
            });
            const parsed = UpdateResultSchema.safeParse(answer);
            // An agent from before the limits contract answers { Warnings } only: read the limits after it.
            const result: UpdateResult = parsed.success
              ? parsed.data
              : {
                  Warnings: (answer as { Warnings?: string[] }).Warnings ?? [],
                  limits: await this.readLimits(client, container).catch((error: unknown) => {
                    throw new Error(
                      `the limits were applied, but reading them back from the host failed: ${(error as Error).message}`,
                      { cause: error },
                    );
                  }),
                };
            params.after = Object.fromEntries(
              fields.map((field) => {
                const reading = result.limits.readings.find((r) => r.field === field);
                return [
                  field,
                  reading ? { applied: reading.applied, raw: reading.raw, file: reading.file } : null,
                ];
              }),
            );
            params.mismatches = result.limits.readings.filter((r) => !r.matches).map((r) => r.field);
            return result;
          },
        );
      }),
    );
  }

  /** Proposed limits from the container's usage history and its events in the window, with the chart behind them. */
  /** `policy` overrides the recommendation's defaults (a preset rollout's headroom). */
  async recommend(
    input: RecommendLimitsInput,
    policy?: Partial<RecommendPolicy>,
  ): Promise<LimitsRecommendation> {
    const { hostId, container, range } = RecommendLimitsInputSchema.parse(input);
    await getHost(this.db, hostId);
    const { inspect, history, hostUsage } = await agentCall({ hostId, container }, () =>
      this.hub.call(hostId, async (client) => {
        const [inspect, history, hostUsage] = await Promise.all([
          client.containers.inspect.query({ container }),
          // Minute buckets (never raw seconds): their p95 and max are what the proposal reads.
          client.usage.history.query({
            container,
            range,
            maxPoints: range === '1h' ? 60 : 1500,
            stats: ['max', 'p95'],
          }),
          client.system.usage.query(),
        ]);
        return { inspect, history, hostUsage };
      }),
    );
    const sinceMs = Date.now() - USAGE_RANGES[range] * 1000;
    const events = await this.eventsSince(hostId, inspect.Id, sinceMs);
    const incidents = countIncidents(events, sinceMs);
    const config = inspect.HostConfig;
    const recommendation = recommendLimits({
      history,
      ...incidents,
      current: {
        Memory: config.Memory,
        NanoCpus: config.NanoCpus,
        CpuQuota: config.CpuQuota,
        CpuPeriod: config.CpuPeriod,
      },
      capacity: { cpus: hostUsage.ncpu, memoryBytes: hostUsage.memTotal },
      hostLoad: {
        memory: hostUsage.memTotal > 0 ? hostUsage.memUsed / hostUsage.memTotal : 0,
        cpu: hostUsage.cpuPercent / 100,
      },
      policy,
    });
    return { range, recommendation, chart: recommendationChart(history) };
  }

  private async readLimits(client: AgentClient, container: string): Promise<ContainerLimits> {
    return ContainerLimitsSchema.parse(await client.containers.limits.query({ container }));
  }

  /** The container's stored events since `sinceMs`, newest first, at most MAX_EVENT_PAGES pages. */
  private async eventsSince(hostId: string, containerId: string, sinceMs: number): Promise<FleetEvent[]> {
    const events: FleetEvent[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < MAX_EVENT_PAGES; page++) {
      const { events: batch, nextCursor } = await this.eventFeed.list({
        hostId,
        type: 'container',
        actor: containerId,
        limit: 500,
        ...(cursor ? { cursor } : {}),
      });
      events.push(...batch);
      const oldest = batch.at(-1);
      if (!nextCursor || !oldest || Date.parse(oldest.at) < sinceMs) break;
      cursor = nextCursor;
    }
    return events;
  }
}
