'use client';

import { zodResolver } from '@hookform/resolvers/zod';
import type { RegistrySettings } from '@stevedore/shared';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useFieldArray, useForm } from 'react-hook-form';
import { useToast } from '~/components/toasts';
import { Button, ErrorNote, SecondaryButton } from '~/components/ui';
import {
  EMPTY_REGISTRY_FORM,
  formToSettings,
  RegistryFormSchema,
  type RegistryFormValues,
  registryToForm,
} from '~/lib/registries/registry-form';
import { useTRPC } from '~/trpc/react';

const inputClass =
  'block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm shadow-sm focus:border-sky-500 focus:outline-none focus:ring-1 focus:ring-sky-500 aria-[invalid=true]:border-red-500 dark:border-slate-700 dark:bg-slate-900';
const pemClass = `${inputClass} font-mono text-xs`;

function FieldError({ id, message }: { id: string; message: string | undefined }) {
  if (!message) return null;
  return (
    <p id={id} role="alert" className="text-xs text-red-700 dark:text-red-300">
      {message}
    </p>
  );
}

/** Edit one registry of a host: its mirrors in order (each with its TLS), insecure, its own CA. */
export function RegistryForm({
  hostId,
  settings,
  onDone,
}: {
  hostId: string;
  /** null: a registry the host has no settings for yet. */
  settings: RegistrySettings | null;
  onDone: () => void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const toast = useToast();
  const form = useForm<RegistryFormValues>({
    resolver: zodResolver(RegistryFormSchema),
    defaultValues: settings ? registryToForm(settings) : EMPTY_REGISTRY_FORM,
    mode: 'onSubmit',
    reValidateMode: 'onChange',
  });
  const mirrors = useFieldArray({ control: form.control, name: 'mirrors' });
  const { errors, isSubmitting } = form.formState;
  const save = useMutation(
    trpc.registries.set.mutationOptions({
      onSuccess: (result) => {
        toast.success(`${result.registry}: saved; the next pull uses it`);
        void queryClient.invalidateQueries({ queryKey: trpc.registries.pathKey() });
        onDone();
      },
    }),
  );
  const loopback = settings?.insecureReason === 'loopback' || settings?.insecureReason === 'cidr';

  return (
    <form
      data-testid="registry-form"
      className="space-y-4"
      noValidate
      onSubmit={form.handleSubmit(async (values) => {
        await save.mutateAsync({ hostId, settings: formToSettings(values) }).catch(() => {
          // Shown below from save.error.
        });
      })}
    >
      <div className="space-y-1">
        <label htmlFor="registry-name" className="block text-sm font-medium">
          Registry
        </label>
        <input
          id="registry-name"
          className={inputClass}
          placeholder="docker.io, registry.example.com or 127.0.0.1:5000"
          readOnly={settings !== null}
          aria-invalid={errors.registry !== undefined}
          aria-describedby="registry-name-error"
          autoComplete="off"
          spellCheck={false}
          {...form.register('registry')}
        />
        <FieldError id="registry-name-error" message={errors.registry?.message} />
      </div>

      <fieldset className="space-y-3">
        <legend className="text-sm font-medium">Mirrors, tried in order before the registry</legend>
        {mirrors.fields.length === 0 && (
          <p className="text-sm text-slate-600 dark:text-slate-400">
            No mirrors: pulls go to the registry itself. Add one to pull through a cache.
          </p>
        )}
        {mirrors.fields.map((field, index) => (
          <div
            key={field.id}
            data-testid="mirror-row"
            className="space-y-2 rounded-md border border-slate-200 p-3 dark:border-slate-800"
          >
            <div className="flex flex-wrap items-end gap-2">
              <div className="min-w-0 flex-1 space-y-1">
                <label htmlFor={`mirror-${index}-url`} className="block text-xs font-medium">
                  Mirror {index + 1} URL
                </label>
                <input
                  id={`mirror-${index}-url`}
                  className={inputClass}
                  placeholder="https://mirror.example:5000"
                  aria-invalid={errors.mirrors?.[index]?.url !== undefined}
                  autoComplete="off"
                  spellCheck={false}
                  {...form.register(`mirrors.${index}.url`)}
                />
              </div>
              <SecondaryButton
                type="button"
                disabled={index === 0}
                onClick={() => mirrors.move(index, index - 1)}
                aria-label={`Move mirror ${index + 1} up`}
              >
                ↑
              </SecondaryButton>
              <SecondaryButton
                type="button"
                onClick={() => mirrors.remove(index)}
                aria-label={`Remove mirror ${index + 1}`}
              >
                Remove
              </SecondaryButton>
            </div>
            <FieldError id={`mirror-${index}-url-error`} message={errors.mirrors?.[index]?.url?.message} />
            <label className="flex items-center gap-2 text-sm">
              <input type="checkbox" {...form.register(`mirrors.${index}.skipVerify`)} />
              Skip TLS verification (skip_verify)
            </label>
            <details className="text-sm">
              <summary className="cursor-pointer text-slate-600 dark:text-slate-400">
                CA certificate for this mirror
              </summary>
              <textarea
                aria-label={`CA certificate of mirror ${index + 1}`}
                className={`${pemClass} mt-2`}
                rows={4}
                placeholder="-----BEGIN CERTIFICATE-----"
                {...form.register(`mirrors.${index}.ca`)}
              />
              <FieldError id={`mirror-${index}-ca-error`} message={errors.mirrors?.[index]?.ca?.message} />
            </details>
          </div>
        ))}
        <SecondaryButton type="button" onClick={() => mirrors.append({ url: '', skipVerify: false, ca: '' })}>
          Add mirror
        </SecondaryButton>
      </fieldset>

      <fieldset className="space-y-2">
        <legend className="text-sm font-medium">The registry itself</legend>
        <label className="flex items-center gap-2 text-sm">
          <input type="checkbox" data-testid="registry-insecure" {...form.register('insecure')} />
          Insecure: plain HTTP (listed in insecure-registries)
        </label>
        {loopback && (
          <p className="text-xs text-slate-500 dark:text-slate-400">
            {settings?.insecureReason === 'loopback'
              ? 'A loopback registry is reached over plain HTTP anyway.'
              : 'A listed CIDR already makes this registry insecure.'}
          </p>
        )}
        <label className="flex items-center gap-2 text-sm">
          <input type="checkbox" {...form.register('skipVerify')} />
          Skip TLS verification for the registry
        </label>
        <label htmlFor="registry-ca" className="block text-sm">
          CA certificate (certs.d/&lt;registry&gt;/ca.crt), added to the system's
        </label>
        <textarea
          id="registry-ca"
          className={pemClass}
          rows={4}
          placeholder="-----BEGIN CERTIFICATE-----"
          {...form.register('ca')}
        />
        <FieldError id="registry-ca-error" message={errors.ca?.message} />
      </fieldset>

      {save.isError && <ErrorNote>{save.error.message}</ErrorNote>}
      <div className="flex flex-wrap gap-2">
        <Button type="submit" disabled={isSubmitting}>
          {isSubmitting ? 'Saving…' : 'Save'}
        </Button>
        <SecondaryButton type="button" onClick={onDone}>
          Cancel
        </SecondaryButton>
      </div>
    </form>
  );
}
