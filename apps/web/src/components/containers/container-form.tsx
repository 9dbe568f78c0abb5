'use client';

import { zodResolver } from '@hookform/resolvers/zod';
import type { ContainerCreate } from '@stevedore/shared';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useEffect, useMemo, useRef, useState } from 'react';
import { FormProvider, useForm, useWatch } from 'react-hook-form';
import { diffForms, type FieldChange } from '~/lib/container-form/diff';
import { type PublishedPort, portConflicts } from '~/lib/container-form/port-conflicts';
import { ContainerFormSchema } from '~/lib/container-form/to-create';
import type { ContainerFormValues } from '~/lib/container-form/values';
import { useTRPC } from '~/trpc/react';
import { capacityFromHostInfo } from '../limits/limits-fields';
import { Button, ErrorNote } from '../ui';
import { BasicsSection } from './form-section-basics';
import { HealthSection } from './form-section-health';
import { LabelsSection } from './form-section-labels';
import { NetworkSection } from './form-section-network';
import { ResourcesSection } from './form-section-resources';
import { RuntimeSection } from './form-section-runtime';
import { StorageSection } from './form-section-storage';
import { EditReview, RunCommand } from './form-summary';

export interface FormOptionsData {
  images: string[];
  networks: string[];
  publishedPorts: PublishedPort[];
}

type Mode =
  | { kind: 'create' }
  | { kind: 'duplicate'; from: string }
  | { kind: 'edit'; container: string; name: string };

/**
 * The run form: create, duplicate (`from`) or edit a container. Every field is checked by the
 * engine's own schema as you type after the first submit; the equivalent CLI line updates live.
 */
export function ContainerForm({
  hostId,
  initial,
  base,
  mode,
  options,
  onDone,
}: {
  hostId: string;
  initial: ContainerFormValues;
  /** The container's full settings when duplicating or editing. */
  base?: ContainerCreate;
  mode: Mode;
  options: FormOptionsData | undefined;
  onDone(result: { id: string; recreated?: boolean }): void;
}) {
  const trpc = useTRPC();
  const form = useForm<ContainerFormValues>({
    resolver: zodResolver(ContainerFormSchema),
    defaultValues: initial,
    mode: 'onSubmit',
    reValidateMode: 'onChange',
  });
  const { control, handleSubmit, formState } = form;
  const errors = formState.errors;
  const values = useWatch({ control }) as ContainerFormValues;
  const conflicts = useMemo(
    () =>
      portConflicts(
        values.ports ?? [],
        options?.publishedPorts ?? [],
        mode.kind === 'edit' ? mode.name : undefined,
      ),
    [values.ports, options?.publishedPorts, mode],
  );
  const [startAfter, setStartAfter] = useState(true);
  const [review, setReview] = useState<{ values: ContainerFormValues; changes: FieldChange[] } | null>(null);
  const create = useMutation(
    trpc.containers.form.create.mutationOptions({ onSuccess: (r) => onDone({ id: r.id }) }),
  );
  const apply = useMutation(
    trpc.containers.form.applyEdit.mutationOptions({
      onSuccess: (r) => onDone({ id: r.id, recreated: r.recreated }),
    }),
  );
  const [conflictNote, setConflictNote] = useState(false);
  // The host's CPUs and memory beside the limit fields (a cpuset picker of its CPUs).
  const info = useQuery(trpc.hosts.info.queryOptions({ hostId }, { staleTime: 60_000 }));
  const capacity = info.data && capacityFromHostInfo(info.data);
  const formRef = useRef<HTMLFormElement>(null);
  const reviewRef = useRef<HTMLElement>(null);
  useEffect(() => {
    if (review) reviewRef.current?.focus();
  }, [review]);
  // A field with an error inside a closed section: open the section so the error shows.
  const errorCount = Object.keys(errors).length;
  useEffect(() => {
    if (errorCount === 0) return;
    for (const field of formRef.current?.querySelectorAll('[aria-invalid="true"]') ?? []) {
      const section = field.closest('details');
      if (section) section.open = true;
    }
  }, [errorCount]);

  const submit = handleSubmit((valid) => {
    if (conflicts.length > 0) {
      setConflictNote(true);
      return;
    }
    setConflictNote(false);
    if (mode.kind === 'edit') {
      setReview({ values: valid, changes: diffForms(initial, valid) });
      return;
    }
    create.mutate({
      hostId,
      values: valid,
      start: startAfter,
      ...(mode.kind === 'duplicate' ? { from: mode.from } : {}),
    });
  });
  const error = create.error ?? apply.error;
  const pending = create.isPending || apply.isPending;
  const networks = [...new Set(['bridge', 'host', 'none', ...(options?.networks ?? [])])];

  return (
    <FormProvider {...form}>
      <form ref={formRef} onSubmit={submit} noValidate aria-label="Container settings" className="space-y-4">
        <BasicsSection images={options?.images} conflicts={conflicts} />
        <ResourcesSection open={mode.kind === 'edit'} capacity={capacity} />
        <NetworkSection networks={networks} />
        <StorageSection />
        <RuntimeSection />
        <HealthSection />
        <LabelsSection />

        <RunCommand values={values} initial={initial} base={base} />

        {errors.root && <ErrorNote>{errors.root.message}</ErrorNote>}
        {conflictNote && conflicts.length > 0 && (
          <ErrorNote>Choose other host ports: {conflicts.map((c) => c.message).join('; ')}.</ErrorNote>
        )}
        {error && <ErrorNote>{error.message}</ErrorNote>}

        {review ? (
          <EditReview
            ref={reviewRef}
            changes={review.changes}
            pending={pending}
            onApply={() =>
              mode.kind === 'edit' &&
              apply.mutate({ hostId, container: mode.container, values: review.values })
            }
            onBack={() => setReview(null)}
          />
        ) : (
          <div className="flex flex-wrap items-center gap-3">
            <Button type="submit" disabled={pending}>
              {mode.kind === 'edit'
                ? 'Review changes'
                : pending
                  ? 'Creating…'
                  : startAfter
                    ? 'Create and start'
                    : 'Create'}
            </Button>
            {mode.kind !== 'edit' && (
              <label className="flex items-center gap-2 text-sm">
                <input
                  type="checkbox"
                  checked={!startAfter}
                  onChange={(event) => setStartAfter(!event.target.checked)}
                />
                Create only (do not start)
              </label>
            )}
          </div>
        )}
      </form>
    </FormProvider>
  );
}
