'use client';

import { countOf, LOG_MAX_SIZE } from '@stevedore/shared';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useId, useState } from 'react';
import { useTRPC } from '~/trpc/react';
import { Button, ErrorNote, SuccessNote } from '../ui';
import { Card, inputClass, mutedText } from './card';

/** Log rotation defaults (daemon.json `log-opts` max-size / max-file) for containers created from now on. */
export function LogRotationPanel({ hostId, isAdmin }: { hostId: string; isAdmin: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const ids = useId();
  const current = useQuery(trpc.disk.logRotation.queryOptions({ hostId }));
  const [maxSize, setMaxSize] = useState('');
  const [maxFile, setMaxFile] = useState('');
  useEffect(() => {
    if (!current.data) return;
    setMaxSize(current.data.maxSize ?? '');
    setMaxFile(current.data.maxFile === null ? '' : String(current.data.maxFile));
  }, [current.data]);
  const save = useMutation(
    trpc.disk.setLogRotation.mutationOptions({
      onSuccess: (data) => queryClient.setQueryData(trpc.disk.logRotation.queryKey({ hostId }), data),
    }),
  );
  const sizeProblem =
    maxSize.trim() !== '' && !LOG_MAX_SIZE.test(maxSize.trim()) ? 'a number with k, m or g, e.g. 10m' : null;
  const files = maxFile.trim() === '' ? null : Number(maxFile);
  const fileProblem =
    files !== null && (!Number.isInteger(files) || files < 1 || files > 100)
      ? 'a whole number from 1 to 100'
      : files !== null && maxSize.trim() === ''
        ? 'needs a max size: files rotate when they reach it'
        : null;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (sizeProblem || fileProblem) return;
    save.mutate({ hostId, maxSize: maxSize.trim() || null, maxFile: files });
  };
  const describe = (size: string | null, count: number | null) =>
    size
      ? `rotate at ${size}, keep ${countOf(count ?? 1, 'file')}`
      : 'no limit (logs grow until the container is removed)';

  return (
    <Card title="Log rotation" testId="log-rotation">
      {current.isError && <ErrorNote>{current.error.message}</ErrorNote>}
      {current.data && (
        <p data-testid="log-rotation-current" className={mutedText}>
          Now: {describe(current.data.maxSize, current.data.maxFile)} · in {current.data.configPath}
        </p>
      )}
      <form onSubmit={submit} className="space-y-3" aria-label="Log rotation defaults">
        <fieldset disabled={!isAdmin || save.isPending} className="grid gap-3 sm:grid-cols-2">
          <div className="space-y-1">
            <label htmlFor={`${ids}-size`} className="block text-sm font-medium">
              Max size per file
            </label>
            <input
              id={`${ids}-size`}
              name="max-size"
              className={`${inputClass} font-mono`}
              placeholder="10m (empty: no limit)"
              value={maxSize}
              aria-invalid={sizeProblem !== null}
              onChange={(event) => setMaxSize(event.target.value)}
            />
            {sizeProblem && <p className="text-xs text-red-700 dark:text-red-300">{sizeProblem}</p>}
          </div>
          <div className="space-y-1">
            <label htmlFor={`${ids}-files`} className="block text-sm font-medium">
              Files kept
            </label>
            <input
              id={`${ids}-files`}
              name="max-file"
              inputMode="numeric"
              className={`${inputClass} font-mono`}
              placeholder="1"
              value={maxFile}
              aria-invalid={fileProblem !== null}
              onChange={(event) => setMaxFile(event.target.value)}
            />
            {fileProblem && <p className="text-xs text-red-700 dark:text-red-300">{fileProblem}</p>}
          </div>
        </fieldset>
        <p className="text-xs text-slate-500">
          Applies to containers created from now on; existing containers keep the options they were created
          with.
        </p>
        {isAdmin ? (
          <Button type="submit" disabled={save.isPending || sizeProblem !== null || fileProblem !== null}>
            {save.isPending ? 'Saving…' : 'Save log rotation'}
          </Button>
        ) : (
          <p className={mutedText}>Only admins change a host's log rotation.</p>
        )}
        {save.isError && <ErrorNote>{save.error.message}</ErrorNote>}
        {save.isSuccess && (
          <SuccessNote>Saved: {describe(save.data.maxSize, save.data.maxFile)}.</SuccessNote>
        )}
      </form>
    </Card>
  );
}
