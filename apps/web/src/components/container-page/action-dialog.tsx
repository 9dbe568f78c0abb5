'use client';

import { type FormEvent, type ReactNode, useEffect, useRef } from 'react';
import { Button, SecondaryButton } from '../ui';

/**
 * A modal form for one action (the browser's <dialog>: focus moves in, Escape closes, the page
 * behind is inert). `danger` colours the confirm button for destructive actions.
 */
export function ActionDialog({
  open,
  title,
  confirmLabel,
  danger = false,
  busy = false,
  confirmDisabled = false,
  onConfirm,
  onClose,
  children,
}: {
  open: boolean;
  title: string;
  confirmLabel: string;
  danger?: boolean;
  busy?: boolean;
  confirmDisabled?: boolean;
  onConfirm(): void;
  onClose(): void;
  children: ReactNode;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onConfirm();
  };
  return (
    <dialog
      ref={ref}
      aria-label={title}
      onClose={onClose}
      className="m-auto w-[28rem] max-w-[calc(100vw-2rem)] rounded-lg border border-slate-200 bg-white p-0 text-slate-900 shadow-xl backdrop:bg-slate-900/50 dark:border-slate-700 dark:bg-slate-900 dark:text-slate-100"
    >
      {open && (
        <form onSubmit={submit} className="space-y-4 p-5">
          <h2 className="text-lg font-semibold">{title}</h2>
          <div className="space-y-3 text-sm">{children}</div>
          <div className="flex justify-end gap-2">
            <SecondaryButton type="button" onClick={onClose}>
              Cancel
            </SecondaryButton>
            {danger ? (
              <button
                type="submit"
                disabled={busy || confirmDisabled}
                className="inline-flex items-center justify-center rounded-md bg-red-600 px-4 py-2 text-sm font-medium text-white hover:bg-red-700 focus-visible:outline focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-red-500 disabled:opacity-50"
              >
                {busy ? 'Working…' : confirmLabel}
              </button>
            ) : (
              <Button type="submit" disabled={busy || confirmDisabled}>
                {busy ? 'Working…' : confirmLabel}
              </Button>
            )}
          </div>
        </form>
      )}
    </dialog>
  );
}
