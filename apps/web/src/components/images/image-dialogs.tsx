'use client';

import { bytesSize } from '@stevedore/shared';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { useTRPC } from '~/trpc/react';
import { ActionDialog } from '../container-page/action-dialog';
import { ErrorNote, Field, SecondaryButton } from '../ui';
import { type ImageTableRow, shortId } from './image-rows';

type Done = (message: string) => void;

/**
 * Removes one name of an image (or the image, by ID). An image a container uses is refused by the
 * engine; the refusal is shown as it came, with the choice to force it.
 */
export function RemoveImageDialog({
  hostId,
  row,
  onClose,
  onDone,
}: {
  hostId: string;
  row: ImageTableRow | null;
  onClose(): void;
  onDone: Done;
}) {
  const trpc = useTRPC();
  const remove = useMutation(trpc.images.remove.mutationOptions());
  const [force, setForce] = useState(false);
  const close = () => {
    remove.reset();
    setForce(false);
    onClose();
  };
  const users = row?.image.usedBy ?? [];
  return (
    <ActionDialog
      open={row !== null}
      title="Remove image"
      confirmLabel={force ? 'Force remove' : 'Remove'}
      danger
      busy={remove.isPending}
      onClose={close}
      onConfirm={() => {
        if (!row) return;
        remove.mutate(
          { hostId, image: row.reference, force },
          {
            onSuccess: (result) => {
              onDone(
                `Removed ${row.reference}: ${result.untagged.length} untagged, ${result.deleted.length} deleted`,
              );
              close();
            },
          },
        );
      }}
    >
      <p>
        Remove <span className="font-mono">{row?.reference}</span>
        {row && row.tag !== '<none>' && row.image.repoTags.length > 1
          ? ' (only this name; the image keeps its other names)'
          : ' and its layers no other image uses'}
        ?
      </p>
      {users.length > 0 && (
        <p className="text-amber-800 dark:text-amber-200">
          In use by {users.map((user) => user.name).join(', ')}.
        </p>
      )}
      {remove.isError && (
        <div data-testid="remove-refused">
          <ErrorNote>{remove.error.message}</ErrorNote>
        </div>
      )}
      <label className="flex items-center gap-2">
        <input
          type="checkbox"
          className="size-4 accent-red-600"
          checked={force}
          onChange={(e) => setForce(e.target.checked)}
        />
        Force: remove it even if containers use it (they keep running on its layers)
      </label>
    </ActionDialog>
  );
}

/** Gives an image another name (`docker tag`). */
export function TagImageDialog({
  hostId,
  row,
  onClose,
  onDone,
}: {
  hostId: string;
  row: ImageTableRow | null;
  onClose(): void;
  onDone: Done;
}) {
  const trpc = useTRPC();
  const tag = useMutation(trpc.images.tag.mutationOptions());
  const [target, setTarget] = useState('');
  const close = () => {
    tag.reset();
    setTarget('');
    onClose();
  };
  return (
    <ActionDialog
      open={row !== null}
      title="Tag image"
      confirmLabel="Tag"
      busy={tag.isPending}
      confirmDisabled={!target.trim()}
      onClose={close}
      onConfirm={() => {
        if (!row) return;
        tag.mutate(
          { hostId, source: row.reference, target: target.trim() },
          {
            onSuccess: () => {
              onDone(`Tagged ${row.reference} as ${target.trim()}`);
              close();
            },
          },
        );
      }}
    >
      <p>
        New name for <span className="font-mono">{row?.reference}</span>:
      </p>
      <Field
        id="tag-target"
        label="Repository:tag"
        value={target}
        onChange={(e) => setTarget(e.target.value)}
        placeholder="registry.example.com/team/app:1.2"
        autoComplete="off"
        spellCheck={false}
      />
      {tag.isError && <ErrorNote>{tag.error.message}</ErrorNote>}
    </ActionDialog>
  );
}

/** `docker history` and `docker image inspect` of one image, read-only. */
export function ImageDetailsDialog({
  hostId,
  row,
  view,
  onClose,
}: {
  hostId: string;
  row: ImageTableRow | null;
  view: 'history' | 'inspect';
  onClose(): void;
}) {
  const trpc = useTRPC();
  const input = { hostId, image: row?.image.id ?? 'none' };
  const history = useQuery({
    ...trpc.images.history.queryOptions(input),
    enabled: !!row && view === 'history',
  });
  const inspect = useQuery({
    ...trpc.images.inspect.queryOptions(input),
    enabled: !!row && view === 'inspect',
  });
  const query = view === 'history' ? history : inspect;
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (row && !dialog.open) dialog.showModal();
    if (!row && dialog.open) dialog.close();
  }, [row]);
  return (
    <dialog
      ref={ref}
      aria-label={view === 'history' ? 'Image history' : 'Image inspect'}
      onClose={onClose}
      className="m-auto w-[56rem] max-w-[calc(100vw-2rem)] rounded-lg border border-slate-200 bg-white p-0 text-slate-900 shadow-xl backdrop:bg-slate-900/50 dark:border-slate-700 dark:bg-slate-900 dark:text-slate-100"
    >
      {row && (
        <div className="space-y-3 p-5">
          <h2 className="text-lg font-semibold">
            {view === 'history' ? 'History' : 'Inspect'}:{' '}
            <span className="font-mono text-base">
              {row.reference === row.image.id ? shortId(row.image.id) : row.reference}
            </span>
          </h2>
          {query.isPending && <p className="text-sm text-slate-500">Loading…</p>}
          {query.isError && <ErrorNote>{query.error.message}</ErrorNote>}
          {view === 'history' && history.data && (
            <div className="max-h-[60vh] overflow-auto">
              <table className="min-w-full text-left text-xs" data-testid="image-history">
                <thead className="text-slate-500 uppercase">
                  <tr>
                    <th className="px-2 py-1">Layer</th>
                    <th className="px-2 py-1">Created by</th>
                    <th className="px-2 py-1 text-right">Size</th>
                  </tr>
                </thead>
                <tbody>
                  {history.data.map((entry, i) => (
                    // biome-ignore lint/suspicious/noArrayIndexKey: history rows have no id of their own
                    <tr key={i} className="border-t border-slate-100 align-top dark:border-slate-800">
                      <td className="px-2 py-1 font-mono">
                        {entry.Id === '<missing>' ? '<missing>' : shortId(entry.Id)}
                      </td>
                      <td className="px-2 py-1 font-mono break-all">{entry.CreatedBy || '—'}</td>
                      <td className="px-2 py-1 text-right tabular-nums">{bytesSize(entry.Size)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          {view === 'inspect' && inspect.data && (
            <pre
              data-testid="image-inspect"
              className="max-h-[60vh] overflow-auto rounded bg-slate-50 p-3 text-xs dark:bg-slate-950"
            >
              {JSON.stringify(inspect.data, null, 2)}
            </pre>
          )}
          <div className="flex justify-end">
            <SecondaryButton type="button" onClick={onClose}>
              Close
            </SecondaryButton>
          </div>
        </div>
      )}
    </dialog>
  );
}
