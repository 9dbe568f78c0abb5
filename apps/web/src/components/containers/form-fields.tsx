'use client';

import type { InputHTMLAttributes, ReactNode } from 'react';
import { type FieldErrors, get, type UseFormRegisterReturn } from 'react-hook-form';
import type { ContainerFormValues } from '~/lib/container-form/values';

export const inputClass =
  'block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm shadow-sm focus:border-sky-500 focus:outline-none focus:ring-1 focus:ring-sky-500 aria-[invalid=true]:border-red-500 dark:border-slate-700 dark:bg-slate-900';

export type FormErrors = FieldErrors<ContainerFormValues>;

/** The message react-hook-form holds for a path such as "ports.1.hostPort". */
export const errorAt = (errors: FormErrors, path: string): string | undefined =>
  (get(errors, path) as { message?: string } | undefined)?.message;

const idOf = (path: string) => `cf-${path.replaceAll('.', '-')}`;

export function FieldError({ path, errors }: { path: string; errors: FormErrors }) {
  const message = errorAt(errors, path);
  if (!message) return null;
  return (
    <p id={`${idOf(path)}-error`} role="alert" className="text-xs text-red-700 dark:text-red-300">
      {message}
    </p>
  );
}

/** A labelled input whose error is shown right under it and announced with it. */
export function TextInput({
  label,
  path,
  errors,
  registration,
  hint,
  className = '',
  ...props
}: {
  label: string;
  path: string;
  errors: FormErrors;
  registration: UseFormRegisterReturn;
  hint?: ReactNode;
} & InputHTMLAttributes<HTMLInputElement>) {
  const id = idOf(path);
  const invalid = errorAt(errors, path) !== undefined;
  return (
    <div className={`space-y-1 ${className}`}>
      <label htmlFor={id} className="block text-sm font-medium">
        {label}
      </label>
      <input
        id={id}
        className={inputClass}
        aria-invalid={invalid}
        aria-describedby={invalid ? `${id}-error` : undefined}
        autoComplete="off"
        spellCheck={false}
        {...props}
        {...registration}
      />
      {hint && !invalid && <p className="text-xs text-slate-500 dark:text-slate-400">{hint}</p>}
      <FieldError path={path} errors={errors} />
    </div>
  );
}

export function Checkbox({
  label,
  registration,
  hint,
}: {
  label: string;
  registration: UseFormRegisterReturn;
  hint?: string;
}) {
  return (
    <label className="flex items-start gap-2 text-sm">
      <input type="checkbox" className="mt-0.5" {...registration} />
      <span>
        {label}
        {hint && <span className="block text-xs text-slate-500 dark:text-slate-400">{hint}</span>}
      </span>
    </label>
  );
}

/** A titled group of fields; `collapsible` ones start closed (a native <details>, keyboard-friendly). */
export function Section({
  title,
  children,
  collapsible = false,
  open = false,
}: {
  title: string;
  children: ReactNode;
  collapsible?: boolean;
  open?: boolean;
}) {
  const body = <div className="grid gap-3 p-4 sm:grid-cols-2">{children}</div>;
  const frame = 'rounded-lg border border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900';
  if (!collapsible) {
    return (
      <section aria-label={title} className={frame}>
        <h2 className="border-b border-slate-200 px-4 py-2 text-sm font-semibold dark:border-slate-800">
          {title}
        </h2>
        {body}
      </section>
    );
  }
  return (
    <details className={frame} open={open}>
      <summary className="cursor-pointer px-4 py-2 text-sm font-semibold focus-visible:outline focus-visible:outline-2 focus-visible:outline-sky-500">
        {title}
      </summary>
      {body}
    </details>
  );
}

export function RowButton({
  children,
  ...props
}: { children: ReactNode } & InputHTMLAttributes<HTMLButtonElement>) {
  return (
    <button
      type="button"
      className="rounded-md border border-slate-300 px-2 py-1 text-xs hover:bg-slate-100 focus-visible:outline focus-visible:outline-2 focus-visible:outline-sky-500 dark:border-slate-700 dark:hover:bg-slate-800"
      {...(props as object)}
    >
      {children}
    </button>
  );
}
