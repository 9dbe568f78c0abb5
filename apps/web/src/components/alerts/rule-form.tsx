'use client';

import { zodResolver } from '@hookform/resolvers/zod';
import {
  ALERT_KIND_LABELS,
  ALERT_KINDS,
  type AlertRule,
  type AlertRuleForm,
  AlertRuleFormSchema,
  alertRuleFromForm,
  alertRuleToForm,
  CONTAINER_ALERT_KINDS,
  type HostSummary,
} from '@stevedore/shared';
import { useMutation } from '@tanstack/react-query';
import { useForm, useWatch } from 'react-hook-form';
import { useTRPC } from '~/trpc/react';
import { ChoiceBoxes, FormFooter } from './form-parts';

export const inputClass =
  'block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm shadow-sm focus:border-sky-500 focus:outline-none focus:ring-1 focus:ring-sky-500 aria-[invalid=true]:border-red-500 dark:border-slate-700 dark:bg-slate-900';

function FieldBox({
  id,
  label,
  hint,
  error,
  children,
}: {
  id: string;
  label: string;
  hint?: string;
  error?: string | undefined;
  children: React.ReactNode;
}) {
  return (
    <div className="space-y-1">
      <label htmlFor={id} className="block text-sm font-medium">
        {label}
      </label>
      {children}
      {hint && !error && <p className="text-xs text-slate-500">{hint}</p>}
      {error && (
        <p id={`${id}-error`} className="text-xs text-red-700 dark:text-red-300">
          {error}
        </p>
      )}
    </div>
  );
}

/** Creates a rule, or edits one; the server validates again with the same schema. */
export function RuleForm({
  rule,
  hosts,
  onDone,
  onCancel,
}: {
  rule: AlertRule | null;
  hosts: HostSummary[];
  onDone(): void;
  onCancel(): void;
}) {
  const trpc = useTRPC();
  const { register, handleSubmit, control, formState } = useForm<AlertRuleForm>({
    resolver: zodResolver(AlertRuleFormSchema),
    defaultValues: alertRuleToForm(rule),
    mode: 'onSubmit',
    reValidateMode: 'onChange',
  });
  const errors = formState.errors;
  const kind = useWatch({ control, name: 'kind' });
  const create = useMutation(trpc.alerts.createRule.mutationOptions({ onSuccess: onDone }));
  const update = useMutation(trpc.alerts.updateRule.mutationOptions({ onSuccess: onDone }));
  const submit = handleSubmit((values) => {
    const input = alertRuleFromForm(values);
    if (rule) update.mutate({ ...input, id: rule.id });
    else create.mutate(input);
  });
  const error = create.error ?? update.error;
  const invalid = (field: keyof AlertRuleForm) => ({
    'aria-invalid': errors[field] ? true : undefined,
    'aria-describedby': errors[field] ? `rule-${field}-error` : undefined,
  });
  const usage = kind === 'memory-high' || kind === 'cpu-throttling';
  const minutesLabel =
    kind === 'oom'
      ? 'Resolve after (minutes without another OOM kill)'
      : kind === 'restart-loop'
        ? 'Within (minutes)'
        : 'For (minutes)';

  return (
    <form
      onSubmit={submit}
      noValidate
      aria-label={rule ? `Edit rule ${rule.name}` : 'New alert rule'}
      className="space-y-4 rounded-lg border border-slate-200 bg-white p-4 dark:border-slate-800 dark:bg-slate-900"
    >
      <h3 className="font-semibold">{rule ? `Edit ${rule.name}` : 'New rule'}</h3>
      <div className="grid gap-4 sm:grid-cols-2">
        <FieldBox id="rule-name" label="Name" error={errors.name?.message}>
          <input
            id="rule-name"
            className={inputClass}
            autoComplete="off"
            {...invalid('name')}
            {...register('name')}
          />
        </FieldBox>
        <FieldBox id="rule-kind" label="Condition">
          <select id="rule-kind" className={inputClass} {...register('kind')}>
            {ALERT_KINDS.map((k) => (
              <option key={k} value={k}>
                {ALERT_KIND_LABELS[k]}
              </option>
            ))}
          </select>
        </FieldBox>
        {usage && (
          <FieldBox
            id="rule-thresholdPercent"
            label={
              kind === 'memory-high'
                ? 'Above (% of the memory limit)'
                : 'Throttled in more than (% of CPU periods)'
            }
            error={errors.thresholdPercent?.message}
          >
            <input
              id="rule-thresholdPercent"
              inputMode="decimal"
              className={inputClass}
              {...invalid('thresholdPercent')}
              {...register('thresholdPercent')}
            />
          </FieldBox>
        )}
        {kind === 'restart-loop' && (
          <FieldBox id="rule-restarts" label="Restarts" error={errors.restarts?.message}>
            <input
              id="rule-restarts"
              inputMode="numeric"
              className={inputClass}
              {...invalid('restarts')}
              {...register('restarts')}
            />
          </FieldBox>
        )}
        {(usage || kind === 'restart-loop' || kind === 'oom') && (
          <FieldBox
            id="rule-minutes"
            label={minutesLabel}
            hint={usage ? 'At most 60: the agents keep second-by-second usage for an hour.' : undefined}
            error={errors.minutes?.message}
          >
            <input
              id="rule-minutes"
              inputMode="numeric"
              className={inputClass}
              {...invalid('minutes')}
              {...register('minutes')}
            />
          </FieldBox>
        )}
        {kind === 'host-offline' && (
          <FieldBox
            id="rule-seconds"
            label="Offline for (seconds)"
            hint="0 fires as soon as the connection is lost."
            error={errors.seconds?.message}
          >
            <input
              id="rule-seconds"
              inputMode="numeric"
              className={inputClass}
              {...invalid('seconds')}
              {...register('seconds')}
            />
          </FieldBox>
        )}
        {CONTAINER_ALERT_KINDS.includes(kind) && (
          <FieldBox
            id="rule-labels"
            label="Container labels"
            hint="key or key=value, comma-separated; all must match. Empty: every container."
            error={errors.labels?.message}
          >
            <input
              id="rule-labels"
              className={`${inputClass} font-mono`}
              placeholder="tier=web, team"
              autoComplete="off"
              {...invalid('labels')}
              {...register('labels')}
            />
          </FieldBox>
        )}
      </div>
      <ChoiceBoxes legend="Hosts" everyWhat="host" items={hosts} registration={register('hostIds')} />
      <FormFooter
        enabled={register('enabled')}
        error={error}
        pending={create.isPending || update.isPending}
        submitLabel={rule ? 'Save rule' : 'Create rule'}
        onCancel={onCancel}
      />
    </form>
  );
}
