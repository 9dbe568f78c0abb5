'use client';

import { zodResolver } from '@hookform/resolvers/zod';
import {
  type AlertRule,
  type Webhook,
  type WebhookInput,
  WebhookInputSchema,
  type WebhookValues,
} from '@stevedore/shared';
import { useMutation } from '@tanstack/react-query';
import { useForm } from 'react-hook-form';
import { useTRPC } from '~/trpc/react';
import { ChoiceBoxes, FormFooter } from './form-parts';
import { inputClass } from './rule-form';

/** Adds a webhook or edits one; a stored secret value is never shown, only replaced or dropped. */
export function WebhookForm({
  webhook,
  rules,
  onDone,
  onCancel,
}: {
  webhook: Webhook | null;
  rules: AlertRule[];
  onDone(): void;
  onCancel(): void;
}) {
  const trpc = useTRPC();
  const { register, handleSubmit, formState } = useForm<WebhookInput, unknown, WebhookValues>({
    resolver: zodResolver(WebhookInputSchema),
    defaultValues: {
      name: webhook?.name ?? '',
      url: webhook?.url ?? '',
      enabled: webhook?.enabled ?? true,
      secretHeaderName: webhook?.secretHeaderName ?? '',
      secretHeaderValue: '',
      ruleIds: webhook?.ruleIds ?? [],
    },
  });
  const errors = formState.errors;
  const create = useMutation(trpc.alerts.createWebhook.mutationOptions({ onSuccess: onDone }));
  const update = useMutation(trpc.alerts.updateWebhook.mutationOptions({ onSuccess: onDone }));
  const submit = handleSubmit((values) => {
    if (webhook) update.mutate({ ...values, id: webhook.id });
    else create.mutate(values);
  });
  const error = create.error ?? update.error;
  const field = (id: keyof WebhookInput, label: string, hint: string | null, props: object = {}) => {
    const message = errors[id]?.message;
    return (
      <div className="space-y-1">
        <label htmlFor={`webhook-${id}`} className="block text-sm font-medium">
          {label}
        </label>
        <input
          id={`webhook-${id}`}
          className={inputClass}
          autoComplete="off"
          aria-invalid={message ? true : undefined}
          aria-describedby={message ? `webhook-${id}-error` : undefined}
          {...props}
          {...register(id)}
        />
        {hint && !message && <p className="text-xs text-slate-500">{hint}</p>}
        {message && (
          <p id={`webhook-${id}-error`} className="text-xs text-red-700 dark:text-red-300">
            {message}
          </p>
        )}
      </div>
    );
  };

  return (
    <form
      onSubmit={submit}
      noValidate
      aria-label={webhook ? `Edit webhook ${webhook.name}` : 'New webhook'}
      className="space-y-4 rounded-lg border border-slate-200 bg-white p-4 dark:border-slate-800 dark:bg-slate-900"
    >
      <h3 className="font-semibold">{webhook ? `Edit ${webhook.name}` : 'New webhook'}</h3>
      <div className="grid gap-4 sm:grid-cols-2">
        {field('name', 'Name', null)}
        {field('url', 'URL', 'Receives a JSON POST when an alert fires or resolves.', {
          type: 'url',
          placeholder: 'https://hooks.example.com/stevedore',
        })}
        {field(
          'secretHeaderName',
          'Secret header (optional)',
          'Sent with each request, e.g. X-Webhook-Secret.',
        )}
        {field(
          'secretHeaderValue',
          'Secret value',
          webhook?.hasSecret ? 'A value is stored; leave empty to keep it.' : null,
          { type: 'password', autoComplete: 'new-password' },
        )}
      </div>
      <ChoiceBoxes legend="Rules" everyWhat="rule" items={rules} registration={register('ruleIds')} />
      <FormFooter
        enabled={register('enabled')}
        error={error}
        pending={create.isPending || update.isPending}
        submitLabel={webhook ? 'Save webhook' : 'Add webhook'}
        onCancel={onCancel}
      />
    </form>
  );
}
