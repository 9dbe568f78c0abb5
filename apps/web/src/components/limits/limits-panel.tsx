'use client';

import { zodResolver } from '@hookform/resolvers/zod';
import type { ContainerInspect, ResourcesUpdate, UpdateResult } from '@stevedore/shared';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useMemo, useState } from 'react';
import { FormProvider, useForm } from 'react-hook-form';
import {
  changedLimits,
  LimitsFormSchema,
  type LimitsFormValues,
  limitsFormToUpdate,
  limitsToForm,
} from '~/lib/limits/limits-form';
import { usageSummary } from '~/lib/limits/limits-usage';
import { useTRPC } from '~/trpc/react';
import { Section } from '../containers/form-fields';
import { Button, ErrorNote, SecondaryButton, SuccessNote } from '../ui';
import { capacityFromHostInfo, LimitsFields, RestartPolicyField } from './limits-fields';
import { ReadingsTable } from './readings-table';
import { RecommendationPanel } from './recommendation-panel';

/**
 * The container page's Limits tab: its limits edited and applied live, then proven by the values
 * read back from its cgroup files; and a recommendation from its measured usage.
 */
export function LimitsPanel({
  hostId,
  containerId,
  inspect,
  canOperate,
}: {
  hostId: string;
  containerId: string;
  inspect: ContainerInspect;
  canOperate: boolean;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const ref = { hostId, container: containerId };
  const limits = useQuery(trpc.containers.limits.get.queryOptions(ref));
  // The host's CPUs and memory while (or if) the agent cannot say more through `containers.limits`.
  const info = useQuery(trpc.hosts.info.queryOptions({ hostId }, { staleTime: 60_000 }));
  const usageQuery = (range: '1h' | '24h') =>
    trpc.containers.usage.history.queryOptions(
      { ...ref, range, maxPoints: range === '1h' ? 360 : 300, stats: ['max'] },
      { refetchInterval: 30_000 },
    );
  const hour = useQuery(usageQuery('1h'));
  const day = useQuery(usageQuery('24h'));
  const usage = useMemo(() => usageSummary(hour.data, day.data), [hour.data, day.data]);

  const initial = useMemo(() => limitsToForm(inspect.HostConfig), [inspect.HostConfig]);
  const form = useForm<LimitsFormValues>({
    resolver: zodResolver(LimitsFormSchema),
    defaultValues: initial,
    mode: 'onSubmit',
    reValidateMode: 'onChange',
  });
  const [result, setResult] = useState<UpdateResult | null>(null);
  const [nothingChanged, setNothingChanged] = useState(false);
  /**
   * What this form last applied, until the container's details catch up: a change made before they
   * are fetched again is compared with it, not with the stale configuration (setting a limit back
   * right after changing it was "nothing to apply").
   */
  const [applied, setApplied] = useState<LimitsFormValues | null>(null);
  // The configuration changed (this form, the CLI, another user): show what it is now, unless being edited.
  useEffect(() => {
    setApplied(null);
    if (!form.formState.isDirty) form.reset(initial);
  }, [initial, form]);

  const apply = useMutation(
    trpc.containers.limits.update.mutationOptions({
      onSuccess: (answer) => {
        setResult(answer);
        queryClient.setQueryData(trpc.containers.limits.get.queryKey(ref), answer.limits);
        void queryClient.invalidateQueries({ queryKey: trpc.containers.details.pathKey() });
        void queryClient.invalidateQueries({ queryKey: trpc.containers.limits.recommend.pathKey() });
      },
    }),
  );
  const send = (changes: ResourcesUpdate, after?: LimitsFormValues) => {
    setResult(null);
    apply.mutate(
      { ...ref, changes },
      {
        onSuccess: () => {
          setApplied(after ?? null);
          form.reset(after ?? form.getValues(), { keepValues: after === undefined });
        },
      },
    );
  };

  const submit = form.handleSubmit((values) => {
    const before = limitsFormToUpdate(applied ?? initial).update;
    const next = limitsFormToUpdate(values).update;
    if (!next) return;
    const changes = before ? changedLimits(before, next) : next;
    setNothingChanged(Object.keys(changes).length === 0);
    if (Object.keys(changes).length === 0) return;
    send(changes, values);
  });

  const capacity = limits.data?.capacity ?? (info.data ? capacityFromHostInfo(info.data) : undefined);
  return (
    <div className="space-y-4">
      <FormProvider {...form}>
        <form onSubmit={submit} noValidate aria-label="Limits" className="space-y-4">
          <fieldset disabled={!canOperate || apply.isPending} className="min-w-0 space-y-4">
            <Section title="Limits">
              <LimitsFields {...(capacity ? { capacity } : {})} usage={usage} />
              <RestartPolicyField />
            </Section>
          </fieldset>
          {limits.isError && (
            <ErrorNote>
              Cannot read the host's capacity and the kernel's values: {limits.error.message}
            </ErrorNote>
          )}
          {apply.error && (
            <div data-testid="apply-error">
              <ErrorNote>
                {apply.error.message.includes('were applied')
                  ? `Applied, but not proven: ${apply.error.message}.`
                  : `Not applied — ${apply.error.message}. Nothing was changed: the container keeps the limits it had.`}
              </ErrorNote>
            </div>
          )}
          {nothingChanged && (
            <p className="text-sm text-slate-600 dark:text-slate-400">
              Nothing to apply: no limit was changed.
            </p>
          )}
          {canOperate ? (
            <div className="flex flex-wrap items-center gap-3">
              <Button type="submit" disabled={apply.isPending}>
                {apply.isPending ? 'Applying…' : 'Apply'}
              </Button>
              <SecondaryButton
                type="button"
                disabled={apply.isPending || !form.formState.isDirty}
                onClick={() => {
                  form.reset(initial);
                  setNothingChanged(false);
                }}
              >
                Reset
              </SecondaryButton>
              {!inspect.State.Running && (
                <p className="text-sm text-slate-600 dark:text-slate-400">
                  The container is not running: the limits are kept and take effect when it starts.
                </p>
              )}
            </div>
          ) : (
            <p className="text-sm text-slate-600 dark:text-slate-400">
              Operators of this host can change these limits.
            </p>
          )}
        </form>
      </FormProvider>

      {result && (
        <section
          aria-label="Applied"
          data-testid="applied"
          className="space-y-3 rounded-lg border border-emerald-300 bg-white p-4 dark:border-emerald-800 dark:bg-slate-900"
        >
          <SuccessNote>
            Applied — read from the kernel
            {result.limits.readings.some((r) => !r.matches)
              ? ': some values differ from what was asked (marked below).'
              : '.'}
          </SuccessNote>
          {result.Warnings.map((warning) => (
            <p key={warning} className="text-sm text-amber-800 dark:text-amber-300">
              {warning}
            </p>
          ))}
          {result.limits.readings.length > 0 ? (
            <ReadingsTable
              readings={result.limits.readings}
              caption="Read back right after the update"
              testId="applied-readings"
            />
          ) : (
            <p className="text-sm text-slate-600 dark:text-slate-400">
              Not running: there is no cgroup to read; the limits are stored for its next start.
            </p>
          )}
        </section>
      )}

      {limits.data && !result && limits.data.readings.length > 0 && (
        <section className="rounded-lg border border-slate-200 bg-white p-4 dark:border-slate-800 dark:bg-slate-900">
          <ReadingsTable
            readings={limits.data.readings}
            caption={`As the kernel holds them now (cgroup v${limits.data.capacity.cgroupVersion})`}
            testId="current-readings"
          />
        </section>
      )}
      {limits.isPending && <p className="text-sm text-slate-500">Reading the limits from the host…</p>}

      <RecommendationPanel
        hostId={hostId}
        containerId={containerId}
        canOperate={canOperate}
        applying={apply.isPending}
        onApply={(changes) => send(changes)}
      />
    </div>
  );
}
