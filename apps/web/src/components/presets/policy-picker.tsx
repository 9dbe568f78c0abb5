'use client';

import type { PresetPolicy } from '@stevedore/shared';

type Recommended = Extract<PresetPolicy, { kind: 'recommended' }>;

export const DEFAULT_RECOMMENDED: Recommended = {
  kind: 'recommended',
  fields: ['memory', 'cpu'],
  range: '24h',
};

const inputClass =
  'rounded-md border border-slate-300 bg-white px-2 py-1 text-sm dark:border-slate-700 dark:bg-slate-900';

/** What a rollout applies: the preset's values, or each container's recommended limits (fields, headroom, window). */
export function PolicyPicker({
  policy,
  onChange,
}: {
  policy: PresetPolicy;
  onChange: (policy: PresetPolicy) => void;
}) {
  const recommended = policy.kind === 'recommended' ? policy : null;
  const setRecommended = (changes: Partial<Recommended>) =>
    onChange({ ...(recommended ?? DEFAULT_RECOMMENDED), ...changes });
  const toggleField = (field: 'memory' | 'cpu', on: boolean) => {
    const fields = (recommended?.fields ?? []).filter((f) => f !== field);
    if (on) fields.push(field);
    if (fields.length > 0) setRecommended({ fields: fields.sort().reverse() as Recommended['fields'] });
  };
  return (
    <fieldset className="space-y-2 text-sm">
      <legend className="font-medium">Values to apply</legend>
      <label className="flex items-center gap-2">
        <input
          type="radio"
          name="policy"
          checked={policy.kind === 'preset'}
          onChange={() => onChange({ kind: 'preset' })}
        />
        Preset values
      </label>
      <label className="flex items-start gap-2">
        <input
          type="radio"
          name="policy"
          className="mt-0.5"
          checked={recommended !== null}
          onChange={() => onChange(DEFAULT_RECOMMENDED)}
        />
        <span>
          Recommended limits
          <span className="block text-xs text-slate-500 dark:text-slate-400">
            Each container gets the limits proposed from its own usage history, as on its Limits tab;
            containers with too little history are skipped.
          </span>
        </span>
      </label>
      {recommended && (
        <div className="ml-6 flex flex-wrap items-center gap-x-4 gap-y-2">
          {(['memory', 'cpu'] as const).map((field) => (
            <label key={field} className="flex items-center gap-1.5">
              <input
                type="checkbox"
                checked={recommended.fields.includes(field)}
                onChange={(event) => toggleField(field, event.target.checked)}
              />
              {field === 'memory' ? 'Memory' : 'CPU'}
            </label>
          ))}
          <label className="flex items-center gap-1.5">
            Headroom
            <input
              type="number"
              min={0}
              max={200}
              step={5}
              className={`${inputClass} w-20`}
              placeholder="default"
              aria-label="Headroom in percent"
              value={recommended.headroom === undefined ? '' : Math.round(recommended.headroom * 100)}
              onChange={(event) => {
                const value = event.target.value;
                const { headroom: _, ...rest } = recommended;
                onChange(
                  value === ''
                    ? rest
                    : { ...rest, headroom: Math.min(200, Math.max(0, Number(value))) / 100 },
                );
              }}
            />
            %
          </label>
          <label className="flex items-center gap-1.5">
            History
            <select
              className={inputClass}
              aria-label="History window"
              value={recommended.range}
              onChange={(event) => setRecommended({ range: event.target.value as Recommended['range'] })}
            >
              <option value="1h">last hour</option>
              <option value="24h">last 24 hours</option>
              <option value="7d">last 7 days</option>
            </select>
          </label>
        </div>
      )}
    </fieldset>
  );
}
