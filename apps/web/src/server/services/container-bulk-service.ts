import type { BulkContainerActionInput, BulkContainerResult, SessionUser } from '@stevedore/shared';
import type { Db } from '../db/client';
import { grantsByUser } from '../db/repositories/users';
import type { AgentHub } from '../hub/agent-hub';
import { audited } from './audited';
import { runContainerAction } from './container-actions';

/** How many containers are acted on at once (across hosts). */
const CONCURRENCY = 8;

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * One lifecycle action over containers of several hosts: each checked against the caller's right
 * to operate its host, each audited with its parameters, each with its own result.
 */
export class ContainerBulkService {
  constructor(
    private readonly db: Db,
    private readonly hub: AgentHub,
    private readonly access: { canOperate(user: SessionUser, hostId: string): Promise<boolean> },
    /** Told which hosts changed, so their rows refresh without waiting for events. */
    private readonly list: {
      nudge(hostId: string): void;
      nameOf(hostId: string, container: string): string | null;
    },
  ) {}

  /** Which hosts the caller may act on, for the browser to offer actions (the server checks again). */
  async operable(user: SessionUser): Promise<{ all: boolean; hostIds: string[] }> {
    if (user.role === 'admin') return { all: true, hostIds: [] };
    if (user.role !== 'operator') return { all: false, hostIds: [] };
    return { all: false, hostIds: (await grantsByUser(this.db)).get(user.id) ?? [] };
  }

  async act(actor: SessionUser, input: BulkContainerActionInput): Promise<BulkContainerResult[]> {
    const allowed = new Map<string, Promise<boolean>>();
    const mayOperate = (hostId: string) => {
      let answer = allowed.get(hostId);
      if (!answer) {
        answer = this.access.canOperate(actor, hostId);
        allowed.set(hostId, answer);
      }
      return answer;
    };
    const one = async ({ hostId, container }: BulkContainerActionInput['targets'][number]) => {
      const result = { hostId, container };
      if (!(await mayOperate(hostId))) {
        return {
          ...result,
          ok: false,
          error: `you may not operate host ${hostId}: an admin has to grant it to you`,
        };
      }
      const force = input.action === 'remove' && input.force;
      const name = this.list.nameOf(hostId, container);
      try {
        await audited(
          this.db,
          actor,
          {
            action: `container.${input.action}`,
            hostId,
            target: container,
            params: { ...(name ? { name } : {}), ...(input.action === 'remove' ? { force } : {}) },
          },
          () =>
            this.hub.call(hostId, (client) => runContainerAction(client, input.action, container, { force })),
        );
        return { ...result, ok: true, error: null };
      } catch (error) {
        return { ...result, ok: false, error: messageOf(error) };
      } finally {
        this.list.nudge(hostId);
      }
    };
    const results: BulkContainerResult[] = new Array(input.targets.length);
    let next = 0;
    const worker = async () => {
      while (next < input.targets.length) {
        const index = next++;
        results[index] = await one(input.targets[index] as BulkContainerActionInput['targets'][number]);
      }
    };
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, input.targets.length) }, worker));
    return results;
  }
}
