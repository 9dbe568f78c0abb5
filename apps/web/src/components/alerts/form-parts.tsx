'use client';

import type { UseFormRegisterReturn } from 'react-hook-form';
import { Button, ErrorNote, SecondaryButton } from '~/components/ui';

/** Checkboxes for a subset of items; none ticked means every item, including later ones. */
export function ChoiceBoxes({
  legend,
  everyWhat,
  items,
  registration,
}: {
  legend: string;
  /** "host", "rule": the hint says that none ticked means every one of them. */
  everyWhat: string;
  items: readonly { id: string; name: string }[];
  registration: UseFormRegisterReturn;
}) {
  return (
    <fieldset className="space-y-1">
      <legend className="text-sm font-medium">{legend}</legend>
      <p className="text-xs text-slate-500">
        None ticked: every {everyWhat}, including {everyWhat}s added later.
      </p>
      <div className="flex flex-wrap gap-x-4 gap-y-1">
        {items.map((item) => (
          <label key={item.id} className="flex items-center gap-2 text-sm">
            <input type="checkbox" value={item.id} {...registration} />
            {item.name}
          </label>
        ))}
        {items.length === 0 && <span className="text-sm text-slate-500">No {everyWhat}s yet.</span>}
      </div>
    </fieldset>
  );
}

/** The end of an alerts form: Enabled, the server's error, submit and cancel. */
export function FormFooter({
  enabled,
  error,
  pending,
  submitLabel,
  onCancel,
}: {
  enabled: UseFormRegisterReturn;
  error: { message: string } | null;
  pending: boolean;
  submitLabel: string;
  onCancel(): void;
}) {
  return (
    <>
      <label className="flex items-center gap-2 text-sm">
        <input type="checkbox" {...enabled} />
        Enabled
      </label>
      {error && <ErrorNote>{error.message}</ErrorNote>}
      <div className="flex flex-wrap gap-2">
        <Button type="submit" disabled={pending}>
          {submitLabel}
        </Button>
        <SecondaryButton type="button" onClick={onCancel}>
          Cancel
        </SecondaryButton>
      </div>
    </>
  );
}
