'use client';

import { type QueryKey, type UseMutationOptions, useMutation, useQueryClient } from '@tanstack/react-query';
import type { FieldValues, UseFormReturn } from 'react-hook-form';
import { useToast } from '../toasts';

/**
 * The create dialogs' round trip: send the form's values, and on success refetch the tab, say so,
 * and empty the form for next time. A refusal (a name taken) stays in `create.error` for the form.
 */
export function useCreateDialog<TValues extends FieldValues, TInput, TCreated, TError>({
  form,
  empty,
  mutation,
  queryKey,
  toInput,
  message,
  onCreated,
  onClose,
}: {
  form: UseFormReturn<TValues>;
  empty: TValues;
  mutation: UseMutationOptions<TCreated, TError, TInput>;
  /** What to refetch once it is made (the tab's router). */
  queryKey: QueryKey;
  toInput(values: TValues): TInput;
  /** The toast on success. */
  message(created: TCreated, input: TInput): string;
  onCreated(created: TCreated): void;
  onClose(): void;
}) {
  const queryClient = useQueryClient();
  const toast = useToast();
  const create = useMutation(mutation);
  const close = () => {
    form.reset(empty);
    create.reset();
    onClose();
  };
  const submit = form.handleSubmit((values) => {
    const input = toInput(values);
    create.mutate(input, {
      onSuccess: async (created) => {
        await queryClient.invalidateQueries({ queryKey });
        toast.success(message(created, input));
        form.reset(empty);
        create.reset();
        onCreated(created);
      },
    });
  });
  return { create, close, submit };
}
