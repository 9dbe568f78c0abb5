'use client';

import { type QueryKey, type UseMutationOptions, useMutation, useQueryClient } from '@tanstack/react-query';
import { useToast } from '../toasts';

/**
 * A remove dialog's round trip: on success say so, close and refetch the tab. The engine's refusal
 * (something still uses it) stays in `remove.error` for the dialog to show.
 */
export function useRemoveAction<TRemoved, TInput, TError>({
  mutation,
  queryKey,
  onClose,
}: {
  mutation: UseMutationOptions<TRemoved, TError, TInput>;
  /** What to refetch once it is gone (the tab's router). */
  queryKey: QueryKey;
  onClose(): void;
}) {
  const queryClient = useQueryClient();
  const toast = useToast();
  const remove = useMutation(mutation);
  const close = () => {
    remove.reset();
    onClose();
  };
  const run = (input: TInput, message: string) =>
    remove.mutate(input, {
      onSuccess: async () => {
        toast.success(message);
        close();
        await queryClient.invalidateQueries({ queryKey });
      },
    });
  return { remove, close, run };
}
