'use client';

import { type ContainerCreate, runCommandLine } from '@stevedore/shared';
import type { Ref } from 'react';
import { useState } from 'react';
import { diffForms, type FieldChange, needsRecreate, overlayChanges } from '~/lib/container-form/diff';
import { formToCreate } from '~/lib/container-form/to-create';
import type { ContainerFormValues } from '~/lib/container-form/values';
import { Button, SecondaryButton } from '../ui';

/**
 * The equivalent CLI line, live, with a copy button. With `base` (duplicate, edit) it is the
 * whole container's: its settings with the form's changes on top, as the server will make it.
 */
export function RunCommand({
  values,
  initial,
  base,
}: {
  values: ContainerFormValues;
  initial: ContainerFormValues;
  base: ContainerCreate | undefined;
}) {
  const { create } = formToCreate(values);
  const full =
    create && base
      ? overlayChanges(
          base,
          create,
          diffForms(initial, values).map((change) => change.field),
        )
      : create;
  const line = full ? runCommandLine(full) : null;
  const [copied, setCopied] = useState(false);
  return (
    <section
      aria-label="Equivalent command"
      className="rounded-lg border border-slate-200 bg-slate-50 p-3 dark:border-slate-800 dark:bg-slate-950"
    >
      <div className="mb-2 flex items-center justify-between gap-2">
        <h2 className="text-sm font-semibold">Equivalent command</h2>
        <SecondaryButton
          type="button"
          className="px-2 py-1 text-xs"
          disabled={!line}
          onClick={() => {
            if (!line) return;
            void navigator.clipboard.writeText(line).then(
              () => setCopied(true),
              // No clipboard permission (e.g. plain http): the line stays selectable to copy by hand.
              () => setCopied(false),
            );
          }}
        >
          {copied ? 'Copied' : 'Copy'}
        </SecondaryButton>
      </div>
      <pre
        data-testid="run-command"
        className="overflow-x-auto whitespace-pre-wrap break-all font-mono text-xs"
      >
        {line ?? 'Fix the fields marked in red to see the command.'}
      </pre>
    </section>
  );
}

export function DiffTable({ changes }: { changes: FieldChange[] }) {
  if (changes.length === 0) return <p className="text-sm">Nothing changed.</p>;
  return (
    <div className="overflow-x-auto">
      <table className="w-full text-left text-sm" data-testid="edit-diff">
        <thead className="text-xs text-slate-500">
          <tr>
            <th className="py-1 pr-3">Setting</th>
            <th className="py-1 pr-3">Before</th>
            <th className="py-1 pr-3">After</th>
            <th className="py-1">Applies</th>
          </tr>
        </thead>
        <tbody>
          {changes.map((change) => (
            <tr key={change.field} className="border-t border-slate-200 align-top dark:border-slate-800">
              <td className="py-1 pr-3 font-medium">{change.label}</td>
              <td className="whitespace-pre-wrap break-all py-1 pr-3 font-mono text-xs text-red-700 dark:text-red-300">
                {change.before || '—'}
              </td>
              <td className="whitespace-pre-wrap break-all py-1 pr-3 font-mono text-xs text-emerald-700 dark:text-emerald-300">
                {change.after || '—'}
              </td>
              <td className="py-1 text-xs">{change.live ? 'live' : 'recreate'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** An edit's diff, what applies live and what needs a recreate, and the apply button. */
export function EditReview({
  ref,
  changes,
  pending,
  onApply,
  onBack,
}: {
  ref: Ref<HTMLElement>;
  changes: FieldChange[];
  pending: boolean;
  onApply(): void;
  onBack(): void;
}) {
  const recreate = needsRecreate(changes);
  return (
    <section
      ref={ref}
      tabIndex={-1}
      aria-label="Changes to apply"
      className="space-y-3 rounded-lg border border-amber-300 bg-amber-50 p-4 dark:border-amber-800 dark:bg-amber-950"
    >
      <h2 className="font-semibold">Review the changes</h2>
      <DiffTable changes={changes} />
      <p className="text-sm">
        {changes.length === 0
          ? 'The container stays as it is.'
          : recreate
            ? 'Some changes need a recreate: a new container is made with every other setting kept (binds and their modes, aliases, log options, labels, volumes), started in place of this one, then takes its name. If anything fails, this container is left as it was.'
            : 'All of these apply live, without restarting the container.'}
      </p>
      <div className="flex flex-wrap gap-2">
        <Button type="button" disabled={pending || changes.length === 0} onClick={onApply}>
          {pending ? 'Applying…' : recreate ? 'Recreate and apply' : 'Apply live'}
        </Button>
        <SecondaryButton type="button" onClick={onBack}>
          Back to the form
        </SecondaryButton>
      </div>
    </section>
  );
}
