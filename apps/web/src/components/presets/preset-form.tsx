'use client';

import { zodResolver } from '@hookform/resolvers/zod';
import type { Preset } from '@stevedore/shared';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { InputHTMLAttributes } from 'react';
import { type FieldErrors, type UseFormRegisterReturn, useForm } from 'react-hook-form';
import { useToast } from '~/components/toasts';
import { Button, ErrorNote, SecondaryButton } from '~/components/ui';
import {
  EMPTY_PRESET_FORM,
  PresetFormSchema,
  type PresetFormValues,
  presetFormToInput,
  presetToForm,
} from '~/lib/presets/preset-form';
import { useTRPC } from '~/trpc/react';

const inputClass =
  'block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm shadow-sm focus:border-sky-500 focus:outline-none focus:ring-1 focus:ring-sky-500 aria-[invalid=true]:border-red-500 dark:border-slate-700 dark:bg-slate-900';

function Input({
  label,
  path,
  errors,
  registration,
  hint,
  ...props
}: {
  label: string;
  path: keyof PresetFormValues;
  errors: FieldErrors<PresetFormValues>;
  registration: UseFormRegisterReturn;
  hint?: string;
} & InputHTMLAttributes<HTMLInputElement>) {
  const id = `preset-${path}`;
  const message = errors[path]?.message;
  return (
    <div className="space-y-1">
      <label htmlFor={id} className="block text-sm font-medium">
        {label}
      </label>
      <input
        id={id}
        className={inputClass}
        aria-invalid={message !== undefined}
        aria-describedby={message ? `${id}-error` : hint ? `${id}-hint` : undefined}
        autoComplete="off"
        spellCheck={false}
        {...props}
        {...registration}
      />
      {message ? (
        <p id={`${id}-error`} role="alert" className="text-xs text-red-700 dark:text-red-300">
          {message}
        </p>
      ) : (
        hint && (
          <p id={`${id}-hint`} className="text-xs text-slate-500 dark:text-slate-400">
            {hint}
          </p>
        )
      )}
    </div>
  );
}

/** Create or edit a preset: limits typed with units, checked with the engine's own schema as you go. */
export function PresetForm({ preset, onDone }: { preset: Preset | null; onDone: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const toast = useToast();
  const form = useForm<PresetFormValues>({
    resolver: zodResolver(PresetFormSchema),
    defaultValues: preset ? presetToForm(preset) : EMPTY_PRESET_FORM,
    mode: 'onSubmit',
    reValidateMode: 'onChange',
  });
  const { errors, isSubmitting } = form.formState;
  const saved = (result: Preset) => {
    toast.success(`Preset ${result.name} saved`);
    void queryClient.invalidateQueries({ queryKey: trpc.presets.list.queryKey() });
    onDone();
  };
  const create = useMutation(trpc.presets.create.mutationOptions({ onSuccess: saved }));
  const update = useMutation(trpc.presets.update.mutationOptions({ onSuccess: saved }));
  const error = create.error ?? update.error;
  const field = (path: keyof PresetFormValues) => form.register(path);

  const submit = form.handleSubmit(async (values) => {
    const { input } = presetFormToInput(values);
    if (!input) return;
    if (preset) await update.mutateAsync({ presetId: preset.id, ...input }).catch(() => undefined);
    else await create.mutateAsync(input).catch(() => undefined);
  });
  const restart = form.watch('restart');

  return (
    <form
      onSubmit={submit}
      aria-label={preset ? `Edit preset ${preset.name}` : 'New preset'}
      className="space-y-4"
      noValidate
    >
      {error && <ErrorNote>{error.message}</ErrorNote>}
      {errors.root?.message && <ErrorNote>{errors.root.message}</ErrorNote>}
      <div className="grid gap-3 sm:grid-cols-2">
        <Input
          label="Name"
          path="name"
          errors={errors}
          registration={field('name')}
          placeholder="web-small"
        />
        <Input
          label="Description"
          path="description"
          errors={errors}
          registration={field('description')}
          placeholder="Front-end containers"
        />
      </div>
      <fieldset className="space-y-3">
        <legend className="text-sm font-semibold">Limits</legend>
        <p className="text-xs text-slate-500 dark:text-slate-400">
          Leave a field empty to keep each container's own value; type <code>unlimited</code> to clear it.
        </p>
        <div className="grid gap-3 sm:grid-cols-3">
          <Input
            label="Memory"
            path="memory"
            errors={errors}
            registration={field('memory')}
            placeholder="512m"
            hint="b, k, m, g (binary)"
          />
          <Input
            label="Memory + swap"
            path="memorySwap"
            errors={errors}
            registration={field('memorySwap')}
            placeholder="1g"
            hint="at least the memory"
          />
          <Input
            label="Memory reservation"
            path="memoryReservation"
            errors={errors}
            registration={field('memoryReservation')}
            placeholder="256m"
          />
          <Input
            label="CPUs"
            path="cpus"
            errors={errors}
            registration={field('cpus')}
            placeholder="1.5"
            inputMode="decimal"
          />
          <Input
            label="CPU shares"
            path="cpuShares"
            errors={errors}
            registration={field('cpuShares')}
            placeholder="1024"
            inputMode="numeric"
          />
          <Input
            label="CPU set"
            path="cpusetCpus"
            errors={errors}
            registration={field('cpusetCpus')}
            placeholder="0-3"
          />
          <Input
            label="PIDs limit"
            path="pidsLimit"
            errors={errors}
            registration={field('pidsLimit')}
            placeholder="200"
            inputMode="numeric"
          />
          <Input
            label="Block I/O weight"
            path="blkioWeight"
            errors={errors}
            registration={field('blkioWeight')}
            placeholder="10–1000"
            inputMode="numeric"
          />
          <div className="space-y-1">
            <label htmlFor="preset-restart" className="block text-sm font-medium">
              Restart policy
            </label>
            <select id="preset-restart" className={inputClass} {...field('restart')}>
              <option value="">leave as is</option>
              <option value="no">no</option>
              <option value="always">always</option>
              <option value="unless-stopped">unless-stopped</option>
              <option value="on-failure">on-failure</option>
            </select>
          </div>
          {restart === 'on-failure' && (
            <Input
              label="Maximum retries"
              path="restartRetries"
              errors={errors}
              registration={field('restartRetries')}
              placeholder="3"
              inputMode="numeric"
            />
          )}
        </div>
      </fieldset>
      <div className="flex flex-wrap justify-end gap-2">
        <SecondaryButton type="button" onClick={onDone}>
          Cancel
        </SecondaryButton>
        <Button type="submit" disabled={isSubmitting || create.isPending || update.isPending}>
          {preset ? 'Save preset' : 'Create preset'}
        </Button>
      </div>
    </form>
  );
}
