import {
  countOf,
  DEFAULT_RECOMMEND_POLICY,
  type LimitsRecommendation,
  type PresetPolicy,
  type RecommendLimitsInput,
  type RecommendPolicy,
  type ResourcesUpdate,
} from '@stevedore/shared';
import type { TargetContainer } from './fleet-targets';

export type RecommendedPolicy = Extract<PresetPolicy, { kind: 'recommended' }>;

/** The limits panel's recommendation of one container (ContainerLimitsService.recommend). */
export type Recommender = (
  input: RecommendLimitsInput,
  policy?: Partial<RecommendPolicy>,
) => Promise<LimitsRecommendation>;

export type RecommendedValues =
  | { values: ResourcesUpdate; skipped: null }
  | { values: null; skipped: string };

/**
 * A container's own recommended limits for the policy's fields, or why it is left out: too little
 * usage history in the window (fewer points than the recommendation trusts), or no proposal for a
 * field. Errors reading the container (gone, host unreachable) are thrown to the caller.
 */
export async function recommendedValuesFor(
  container: TargetContainer,
  policy: RecommendedPolicy,
  recommend: Recommender,
): Promise<RecommendedValues> {
  const headroom =
    policy.headroom === undefined ? {} : { memoryHeadroom: policy.headroom, cpuHeadroom: policy.headroom };
  const { recommendation } = await recommend(
    { hostId: container.hostId, container: container.containerId, range: policy.range },
    headroom,
  );
  const needed = DEFAULT_RECOMMEND_POLICY.minPoints;
  if (recommendation.points < needed) {
    return {
      values: null,
      skipped: `not enough usage history: ${countOf(recommendation.points, 'point')} in the last ${policy.range} (${needed} needed)`,
    };
  }
  const values: ResourcesUpdate = {};
  const missing: string[] = [];
  if (policy.fields.includes('memory')) {
    if (recommendation.proposal.Memory === null) missing.push('memory');
    else values.Memory = recommendation.proposal.Memory;
  }
  if (policy.fields.includes('cpu')) {
    if (recommendation.proposal.NanoCpus === null) missing.push('CPU');
    else values.NanoCpus = recommendation.proposal.NanoCpus;
  }
  if (missing.length > 0) return { values: null, skipped: `no ${missing.join(' or ')} recommendation` };
  return { values, skipped: null };
}
