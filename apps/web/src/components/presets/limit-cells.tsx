'use client';

import type { LimitChange, ResourcesUpdate } from '@stevedore/shared';
import { PRESET_FIELDS } from '@stevedore/shared';
import { FIELD_LABELS, limitText } from '~/lib/presets/limit-text';

const restartText = (value: ResourcesUpdate['RestartPolicy']) =>
  value ? `${value.Name || 'no'}${value.MaximumRetryCount ? `:${value.MaximumRetryCount}` : ''}` : undefined;

/** "Memory 256 MiB → 512 MiB" lines. */
export function ChangeList({ changes }: { changes: readonly LimitChange[] }) {
  return (
    <ul className="space-y-0.5">
      {changes.map((change) => (
        <li key={change.field} className="whitespace-nowrap">
          <span className="text-slate-500 dark:text-slate-400">{FIELD_LABELS[change.field]}</span>{' '}
          <span className="line-through decoration-slate-400">{limitText(change.field, change.from)}</span> →{' '}
          <strong>{limitText(change.field, change.to)}</strong>
        </li>
      ))}
    </ul>
  );
}

/** What a rollout changed on one container: the fields whose value before and after differ. */
export function changedFields(before: ResourcesUpdate | null, after: ResourcesUpdate | null) {
  if (!before || !after) return <span className="text-slate-400">—</span>;
  const changes: LimitChange[] = PRESET_FIELDS.flatMap((field) => {
    const from = field === 'RestartPolicy' ? restartText(before.RestartPolicy) : before[field];
    const to = field === 'RestartPolicy' ? restartText(after.RestartPolicy) : after[field];
    if (from === undefined || to === undefined || from === to) return [];
    return [{ field, from: from as LimitChange['from'], to: to as LimitChange['to'] }];
  });
  if (changes.length === 0) return <span className="text-slate-500">nothing (already matched)</span>;
  return <ChangeList changes={changes} />;
}
