import {
  type AlertRule,
  CONTAINER_ALERT_KINDS,
  parseLabelSelector,
  selectorMatches,
} from '@stevedore/shared';

/**
 * Whether a rule watches a host (and, for container rules, a container with these labels): the
 * rule's hosts (none: all) and every label selector, as the containers list filters by label.
 */
export function inScope(
  rule: Pick<AlertRule, 'hostIds' | 'labels'>,
  hostId: string,
  labels: Readonly<Record<string, string>> | null,
): boolean {
  if (rule.hostIds.length > 0 && !rule.hostIds.includes(hostId)) return false;
  if (labels === null) return true;
  return rule.labels.every((selector) => selectorMatches(labels, parseLabelSelector(selector)));
}

export const isContainerRule = (rule: Pick<AlertRule, 'condition'>) =>
  CONTAINER_ALERT_KINDS.includes(rule.condition.kind);

/** Container events carry the labels among their attributes, beside these engine-set ones. */
const NOT_LABELS = new Set(['name', 'image', 'exitCode', 'signal']);

export function labelsOfEvent(attributes: Readonly<Record<string, string>>): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const [key, value] of Object.entries(attributes)) if (!NOT_LABELS.has(key)) labels[key] = value;
  return labels;
}
