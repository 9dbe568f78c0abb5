import type {
  RegistryChange,
  RegistryHostOutcome,
  RegistryRolloutReport,
  RegistrySettings,
  RegistrySettingsValue,
} from '@stevedore/shared';
import { mapLimited } from '../../util/map-limited';
import { type HostPlan, planChange } from './registry-plan';

export interface RolloutHost {
  hostId: string;
  hostName: string;
}

/** The agent calls a rollout makes; `write` is audited by the caller with before and after. */
export interface RolloutCalls {
  read(hostId: string, registry: string): Promise<RegistrySettings>;
  write(
    host: RolloutHost,
    value: RegistrySettingsValue,
    audit: { kind: 'apply' | 'rollback'; before: HostPlan['before']; after: HostPlan['after'] },
  ): Promise<void>;
}

const CONCURRENCY = 20;
const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** Each host's plan (before → after), read from every host at once; hosts that fail say why. */
export async function previewChange(
  hosts: readonly RolloutHost[],
  change: RegistryChange,
  calls: Pick<RolloutCalls, 'read'>,
): Promise<{ host: RolloutHost; plan: HostPlan | null; error: string | null }[]> {
  return mapLimited(hosts, CONCURRENCY, async (host) => {
    try {
      return { host, plan: planChange(await calls.read(host.hostId, change.registry), change), error: null };
    } catch (error) {
      return { host, plan: null, error: `reading its registry settings failed: ${messageOf(error)}` };
    }
  });
}

/**
 * Applies `change` on every host at once (each reads its settings, then writes the result). When a
 * host fails and `rollbackOnFailure` is set, the hosts already changed get their previous settings
 * back. Every host ends with a result.
 */
export async function runRollout(
  hosts: readonly RolloutHost[],
  change: RegistryChange,
  calls: RolloutCalls,
  options: { rollbackOnFailure: boolean },
): Promise<RegistryRolloutReport> {
  const started = performance.now();
  const plans = new Map<string, HostPlan>();
  const outcomes = await mapLimited(hosts, CONCURRENCY, async (host): Promise<RegistryHostOutcome> => {
    const hostStarted = performance.now();
    const base = { hostId: host.hostId, hostName: host.hostName };
    let plan: HostPlan;
    try {
      plan = planChange(await calls.read(host.hostId, change.registry), change);
    } catch (error) {
      return {
        ...base,
        before: null,
        after: null,
        changed: false,
        result: 'failed',
        error: `reading its registry settings failed: ${messageOf(error)}`,
        durationMs: Math.round(performance.now() - hostStarted),
      };
    }
    const shown = { ...base, before: plan.before, after: plan.after, changed: plan.changed };
    if (!plan.changed) {
      return {
        ...shown,
        result: 'unchanged',
        error: null,
        durationMs: Math.round(performance.now() - hostStarted),
      };
    }
    try {
      await calls.write(host, plan.next, { kind: 'apply', before: plan.before, after: plan.after });
      plans.set(host.hostId, plan);
      return {
        ...shown,
        result: 'applied',
        error: null,
        durationMs: Math.round(performance.now() - hostStarted),
      };
    } catch (error) {
      return {
        ...shown,
        result: 'failed',
        error: messageOf(error),
        durationMs: Math.round(performance.now() - hostStarted),
      };
    }
  });
  const failed = outcomes.some((o) => o.result === 'failed');
  let rolledBack = false;
  if (failed && options.rollbackOnFailure) {
    rolledBack = true;
    await mapLimited(
      outcomes.filter((o) => o.result === 'applied'),
      CONCURRENCY,
      async (outcome) => {
        const plan = plans.get(outcome.hostId) as HostPlan;
        try {
          await calls.write(outcome, plan.previous, {
            kind: 'rollback',
            before: plan.after,
            after: plan.before,
          });
          outcome.result = 'rolled-back';
        } catch (error) {
          outcome.result = 'rollback-failed';
          outcome.error = `the previous settings could not be restored: ${messageOf(error)}`;
        }
      },
    );
  }
  return {
    registry: change.registry,
    ok: !failed,
    rolledBack,
    durationMs: Math.round(performance.now() - started),
    hosts: outcomes.sort((a, b) => a.hostName.localeCompare(b.hostName)),
  };
}
