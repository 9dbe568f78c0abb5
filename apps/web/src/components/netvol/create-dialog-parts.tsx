import type { UseFormRegisterReturn } from 'react-hook-form';
import { Button, ErrorNote, SecondaryButton } from '../ui';
import { FieldRow, inputClass } from './form-field';

/** The labels box of the create forms: one KEY=VALUE a line. */
export function LabelsField({
  id,
  error,
  registration,
  placeholder,
}: {
  id: string;
  error: string | undefined;
  registration: UseFormRegisterReturn;
  placeholder: string;
}) {
  return (
    <FieldRow id={id} label="Labels" hint="One KEY=VALUE per line" error={error}>
      <textarea
        id={id}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : `${id}-hint`}
        {...registration}
        rows={3}
        className={`${inputClass} font-mono text-xs`}
        placeholder={placeholder}
      />
    </FieldRow>
  );
}

/** The engine's refusal, if any, then Cancel and the submit button of a create form. */
export function CreateDialogActions({
  create,
  submitLabel,
  onCancel,
}: {
  create: { isError: boolean; isPending: boolean; error: { message: string } | null };
  submitLabel: string;
  onCancel(): void;
}) {
  return (
    <>
      {create.isError && create.error && <ErrorNote>{create.error.message}</ErrorNote>}
      <div className="flex justify-end gap-2">
        <SecondaryButton type="button" onClick={onCancel}>
          Cancel
        </SecondaryButton>
        <Button type="submit" disabled={create.isPending}>
          {create.isPending ? 'Creating…' : submitLabel}
        </Button>
      </div>
    </>
  );
}
