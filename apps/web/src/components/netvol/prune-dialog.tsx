'use client';

import type { PruneOutcome } from '@stevedore/shared';
import { countOf } from '@stevedore/shared';
import { type QueryKey, type UseMutationOptions, useMutation, useQueryClient } from '@tanstack/react-query';
import { type ReactNode, useState } from 'react';
import { Modal } from '../presets/modal';
import { ErrorNote, SecondaryButton } from '../ui';

/**
 * Prune with a preview: the dialog lists what would go (`children`, shown when `count` > 0), removes
 * exactly those (`input` names them), then says what was removed and kept (`outcomeNote`).
 */
export function PruneDialog<TOutcome extends PruneOutcome, TInput, TError extends { message: string }>({
  title,
  noun,
  open,
  onClose,
  previewTestId,
  pendingText,
  emptyText,
  preview,
  count,
  mutation,
  input,
  queryKey,
  outcomeNote,
  children,
}: {
  title: string;
  /** Singular; the button says "Remove 2 networks". */
  noun: string;
  open: boolean;
  onClose(): void;
  previewTestId: string;
  pendingText: string;
  emptyText: ReactNode;
  preview: { isPending: boolean; error: { message: string } | null; data: unknown };
  count: number;
  mutation: UseMutationOptions<TOutcome, TError, TInput>;
  input: TInput;
  /** What to refetch after the prune (the tab's router). */
  queryKey: QueryKey;
  outcomeNote(outcome: PruneOutcome): ReactNode;
  children: ReactNode;
}) {
  const queryClient = useQueryClient();
  const prune = useMutation(mutation);
  const [outcome, setOutcome] = useState<TOutcome | null>(null);
  const close = () => {
    setOutcome(null);
    prune.reset();
    onClose();
  };
  const confirm = () =>
    prune.mutate(input, {
      onSuccess: async (result) => {
        setOutcome(result);
        await queryClient.invalidateQueries({ queryKey });
      },
    });
  const loaded = preview.data !== undefined;
  return (
    <Modal open={open} title={title} onClose={close}>
      {outcome ? (
        outcomeNote(outcome)
      ) : (
        <div className="space-y-3 text-sm" data-testid={previewTestId}>
          {preview.isPending && <p className="text-slate-500">{pendingText}</p>}
          {preview.error && <ErrorNote>{preview.error.message}</ErrorNote>}
          {loaded && count === 0 && <p>{emptyText}</p>}
          {loaded && count > 0 && children}
          {prune.error && <ErrorNote>{prune.error.message}</ErrorNote>}
        </div>
      )}
      <div className="flex justify-end gap-2">
        <SecondaryButton type="button" onClick={close}>
          {outcome ? 'Close' : 'Cancel'}
        </SecondaryButton>
        {!outcome && (
          <button
            type="button"
            disabled={count === 0 || prune.isPending}
            onClick={confirm}
            className="inline-flex items-center justify-center rounded-md bg-red-600 px-4 py-2 text-sm font-medium text-white hover:bg-red-700 disabled:opacity-50"
          >
            {prune.isPending ? 'Removing…' : `Remove ${countOf(count, noun)}`}
          </button>
        )}
      </div>
    </Modal>
  );
}
