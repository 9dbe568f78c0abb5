'use client';

import {
  CaPemSchema,
  countOf,
  type HostSummary,
  MirrorUrlSchema,
  type RegistryHostPlan,
  RegistryHostSchema,
  type RegistryRolloutReport,
  type RegistryTarget,
} from '@stevedore/shared';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useToast } from '~/components/toasts';
import { Button, ErrorNote, SecondaryButton } from '~/components/ui';
import { useTRPC } from '~/trpc/react';
import { RolloutTable } from './rollout-table';

const inputClass =
  'block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm shadow-sm focus:border-sky-500 focus:outline-none focus:ring-1 focus:ring-sky-500 dark:border-slate-700 dark:bg-slate-900';

type Tri = 'keep' | 'on' | 'off';

interface Draft {
  registry: string;
  changeMirrors: boolean;
  mirrors: string;
  insecure: Tri;
  changeCa: boolean;
  ca: string;
  targetKind: 'hosts' | 'labels';
  hostIds: string[];
  selector: string;
  rollbackOnFailure: boolean;
}

/** The typed draft as the API's input, or the first problem with it. */
function toInput(draft: Draft) {
  const registry = RegistryHostSchema.safeParse(draft.registry);
  if (!registry.success) return { error: `Registry: ${registry.error.issues[0]?.message}` };
  const urls = draft.mirrors.split(/[\s,]+/).filter(Boolean);
  const mirrors: { url: string; ca: null; skipVerify: false }[] = [];
  for (const url of urls) {
    const parsed = MirrorUrlSchema.safeParse(url);
    if (!parsed.success) return { error: `Mirror "${url}": ${parsed.error.issues[0]?.message}` };
    mirrors.push({ url: parsed.data, ca: null, skipVerify: false });
  }
  const ca = draft.ca.trim();
  if (draft.changeCa && ca && !CaPemSchema.safeParse(ca).success)
    return { error: 'CA: paste PEM certificates or leave it empty to remove the CA' };
  if (!draft.changeMirrors && draft.insecure === 'keep' && !draft.changeCa)
    return { error: 'Choose at least one setting to change: mirrors, insecure or CA.' };
  const target: RegistryTarget =
    draft.targetKind === 'hosts'
      ? { kind: 'hosts', hostIds: draft.hostIds }
      : { kind: 'labels', selector: draft.selector };
  if (target.kind === 'hosts' && target.hostIds.length === 0) return { error: 'Pick at least one host.' };
  if (target.kind === 'labels' && !target.selector.trim())
    return { error: 'Enter a label selector, e.g. env=prod.' };
  return {
    input: {
      target,
      change: {
        registry: registry.data,
        ...(draft.changeMirrors ? { mirrors } : {}),
        ...(draft.insecure !== 'keep' ? { insecure: draft.insecure === 'on' } : {}),
        ...(draft.changeCa ? { ca: ca || null } : {}),
      },
    },
  };
}

export function RegistryRollout({ hosts, isAdmin }: { hosts: HostSummary[]; isAdmin: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const toast = useToast();
  const [draft, setDraft] = useState<Draft>({
    registry: 'docker.io',
    changeMirrors: true,
    mirrors: '',
    insecure: 'keep',
    changeCa: false,
    ca: '',
    targetKind: 'hosts',
    hostIds: [],
    selector: '',
    rollbackOnFailure: true,
  });
  const [problem, setProblem] = useState<string | null>(null);
  const [plans, setPlans] = useState<RegistryHostPlan[] | null>(null);
  const [report, setReport] = useState<RegistryRolloutReport | null>(null);
  const update = (patch: Partial<Draft>) => {
    setDraft((d) => ({ ...d, ...patch }));
    setPlans(null);
  };
  const preview = useMutation({
    mutationFn: (input: Parameters<typeof trpc.registries.preview.queryOptions>[0]) =>
      queryClient.fetchQuery(trpc.registries.preview.queryOptions(input, { staleTime: 0 })),
    onSuccess: (result) => {
      setPlans(result);
      setReport(null);
    },
  });
  const rollout = useMutation(
    trpc.registries.rollout.mutationOptions({
      onSuccess: (result) => {
        setReport(result);
        setPlans(null);
        void queryClient.invalidateQueries({ queryKey: trpc.registries.pathKey() });
        if (result.ok)
          toast.success(`Rolled out to ${countOf(result.hosts.length, 'host')} in ${result.durationMs} ms`);
        else toast.error(result.rolledBack ? 'A host failed: the others were rolled back' : 'A host failed');
      },
    }),
  );

  const submitPreview = (event: FormEvent) => {
    event.preventDefault();
    const parsed = toInput(draft);
    if ('error' in parsed) {
      setProblem(parsed.error ?? null);
      return;
    }
    setProblem(null);
    preview.mutate(parsed.input);
  };
  const start = () => {
    const parsed = toInput(draft);
    if ('error' in parsed) return setProblem(parsed.error ?? null);
    const changing = plans?.filter((p) => p.changed).length ?? 0;
    if (!window.confirm(`Change ${draft.registry} on ${countOf(changing, 'host')}?`)) return;
    rollout.mutate({ ...parsed.input, rollbackOnFailure: draft.rollbackOnFailure });
  };

  return (
    <div className="space-y-4">
      <form
        onSubmit={submitPreview}
        className="space-y-4 rounded-lg border border-slate-200 p-4 dark:border-slate-800"
        data-testid="rollout-form"
      >
        <div className="grid gap-4 md:grid-cols-2">
          <div className="space-y-1">
            <label htmlFor="rollout-registry" className="block text-sm font-medium">
              Registry
            </label>
            <input
              id="rollout-registry"
              className={inputClass}
              value={draft.registry}
              onChange={(e) => update({ registry: e.target.value })}
              spellCheck={false}
            />
          </div>
          <div className="space-y-1">
            <label className="flex items-center gap-2 text-sm font-medium">
              <input
                type="checkbox"
                checked={draft.changeMirrors}
                onChange={(e) => update({ changeMirrors: e.target.checked })}
              />
              Set its mirrors (in order; empty removes them)
            </label>
            <textarea
              aria-label="Mirror URLs"
              id="rollout-mirrors"
              className={`${inputClass} font-mono text-xs`}
              rows={2}
              disabled={!draft.changeMirrors}
              placeholder="https://mirror.example:5000"
              value={draft.mirrors}
              onChange={(e) => update({ mirrors: e.target.value })}
            />
          </div>
          <div className="space-y-1">
            <label htmlFor="rollout-insecure" className="block text-sm font-medium">
              Insecure (plain HTTP)
            </label>
            <select
              id="rollout-insecure"
              className={inputClass}
              value={draft.insecure}
              onChange={(e) => update({ insecure: e.target.value as Tri })}
            >
              <option value="keep">keep each host's</option>
              <option value="on">insecure</option>
              <option value="off">not insecure</option>
            </select>
          </div>
          <div className="space-y-1">
            <label className="flex items-center gap-2 text-sm font-medium">
              <input
                type="checkbox"
                checked={draft.changeCa}
                onChange={(e) => update({ changeCa: e.target.checked })}
              />
              Set its CA (empty removes it)
            </label>
            <textarea
              aria-label="CA certificate"
              className={`${inputClass} font-mono text-xs`}
              rows={2}
              disabled={!draft.changeCa}
              placeholder="-----BEGIN CERTIFICATE-----"
              value={draft.ca}
              onChange={(e) => update({ ca: e.target.value })}
            />
          </div>
        </div>

        <fieldset className="space-y-2">
          <legend className="text-sm font-medium">Hosts</legend>
          <div className="flex flex-wrap gap-4 text-sm">
            <label className="flex items-center gap-2">
              <input
                type="radio"
                name="target-kind"
                checked={draft.targetKind === 'hosts'}
                onChange={() => update({ targetKind: 'hosts' })}
              />
              Pick hosts
            </label>
            <label className="flex items-center gap-2">
              <input
                type="radio"
                name="target-kind"
                checked={draft.targetKind === 'labels'}
                onChange={() => update({ targetKind: 'labels' })}
              />
              By label selector
            </label>
          </div>
          {draft.targetKind === 'hosts' ? (
            <div className="flex flex-wrap gap-x-4 gap-y-1 text-sm" data-testid="rollout-hosts">
              <SecondaryButton
                type="button"
                className="px-2! py-0.5! text-xs"
                onClick={() => update({ hostIds: hosts.map((h) => h.id) })}
              >
                All
              </SecondaryButton>
              {hosts.map((host) => (
                <label key={host.id} className="flex items-center gap-2">
                  <input
                    type="checkbox"
                    checked={draft.hostIds.includes(host.id)}
                    onChange={(e) =>
                      update({
                        hostIds: e.target.checked
                          ? [...draft.hostIds, host.id]
                          : draft.hostIds.filter((id) => id !== host.id),
                      })
                    }
                  />
                  {host.name}
                  {Object.keys(host.labels).length > 0 && (
                    <span className="text-xs text-slate-500 dark:text-slate-400">
                      {Object.entries(host.labels)
                        .map(([k, v]) => (v ? `${k}=${v}` : k))
                        .join(', ')}
                    </span>
                  )}
                </label>
              ))}
            </div>
          ) : (
            <input
              aria-label="Label selector"
              className={inputClass}
              placeholder="env=prod, region!=eu"
              value={draft.selector}
              onChange={(e) => update({ selector: e.target.value })}
            />
          )}
        </fieldset>

        <label className="flex items-center gap-2 text-sm">
          <input
            type="checkbox"
            checked={draft.rollbackOnFailure}
            onChange={(e) => update({ rollbackOnFailure: e.target.checked })}
          />
          If a host fails, give the hosts already changed their previous settings back
        </label>
        {problem && <ErrorNote>{problem}</ErrorNote>}
        {preview.isError && <ErrorNote>{preview.error.message}</ErrorNote>}
        {rollout.isError && <ErrorNote>{rollout.error.message}</ErrorNote>}
        <div className="flex flex-wrap gap-2">
          <SecondaryButton type="submit" disabled={preview.isPending}>
            {preview.isPending ? 'Reading each host…' : 'Preview'}
          </SecondaryButton>
          {isAdmin ? (
            <Button
              type="button"
              onClick={start}
              disabled={!plans || rollout.isPending || !plans.some((p) => p.changed)}
            >
              {rollout.isPending ? 'Rolling out…' : 'Roll out'}
            </Button>
          ) : (
            <span className="self-center text-sm text-slate-500 dark:text-slate-400">
              Only admins change host configuration.
            </span>
          )}
        </div>
      </form>

      {plans && (
        <RolloutTable
          title="Preview: each host before → after"
          rows={plans.map((p) => ({ ...p, result: null, durationMs: null }))}
        />
      )}
      {report && (
        <RolloutTable
          title={`Rollout of ${report.registry}: ${report.ok ? 'done' : report.rolledBack ? 'failed, rolled back' : 'failed'} in ${report.durationMs} ms`}
          rows={report.hosts}
        />
      )}
    </div>
  );
}
