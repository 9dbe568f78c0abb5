'use client';

import { bytesSize, countOf, type ImagePushEvent } from '@stevedore/shared';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { useTRPC, useTRPCClient } from '~/trpc/react';
import { ActionDialog } from '../container-page/action-dialog';
import { ErrorNote, Field, SecondaryButton, SuccessNote } from '../ui';
import { type ImageTableRow, shortId } from './image-rows';

type Done = (message: string) => void;
type BlobProgress = Extract<ImagePushEvent, { type: 'progress' }>;

/** `docker push` of one tag, with each blob's progress; closing the dialog stops following it. */
export function PushImageDialog({
  hostId,
  row,
  onClose,
}: {
  hostId: string;
  row: ImageTableRow | null;
  onClose(): void;
}) {
  const client = useTRPCClient();
  const ref = useRef<HTMLDialogElement>(null);
  const [blobs, setBlobs] = useState<BlobProgress[]>([]);
  const [stage, setStage] = useState<
    | { kind: 'idle' }
    | { kind: 'pushing' }
    | { kind: 'done'; digest: string }
    | { kind: 'failed'; message: string }
  >({ kind: 'idle' });
  const subscription = useRef<{ unsubscribe(): void } | null>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (row && !dialog.open) dialog.showModal();
    if (!row && dialog.open) dialog.close();
  }, [row]);
  useEffect(() => () => subscription.current?.unsubscribe(), []);
  const start = () => {
    if (!row) return;
    setBlobs([]);
    setStage({ kind: 'pushing' });
    subscription.current = client.images.push.subscribe(
      { hostId, reference: row.reference },
      {
        onData: (event) => {
          if (event.type === 'progress') {
            setBlobs((old) => {
              const next = old.filter((blob) => blob.id !== event.id);
              const at = old.findIndex((blob) => blob.id === event.id);
              next.splice(at === -1 ? next.length : at, 0, event);
              return next;
            });
            return;
          }
          subscription.current?.unsubscribe();
          subscription.current = null;
          setStage({ kind: 'done', digest: event.digest });
        },
        onError: (error) => {
          subscription.current = null;
          setStage({ kind: 'failed', message: error.message });
        },
      },
    );
  };
  const close = () => {
    subscription.current?.unsubscribe();
    subscription.current = null;
    setStage({ kind: 'idle' });
    setBlobs([]);
    onClose();
  };
  return (
    <dialog
      ref={ref}
      aria-label="Push image"
      onClose={close}
      className="m-auto w-[36rem] max-w-[calc(100vw-2rem)] rounded-lg border border-slate-200 bg-white p-0 text-slate-900 shadow-xl backdrop:bg-slate-900/50 dark:border-slate-700 dark:bg-slate-900 dark:text-slate-100"
    >
      {row && (
        <div className="space-y-4 p-5">
          <h2 className="text-lg font-semibold">Push image</h2>
          <p className="text-sm">
            Push <span className="font-mono">{row.reference}</span> to its registry (with this host's login
            for it, if any).
          </p>
          {blobs.length > 0 && (
            <ul className="max-h-72 space-y-2 overflow-y-auto" data-testid="push-progress">
              {blobs.map((blob) => {
                const fraction = blob.total ? Math.min(1, (blob.current ?? 0) / blob.total) : null;
                return (
                  <li key={blob.id} className="space-y-1 text-xs">
                    <div className="flex justify-between gap-2">
                      <span className="font-mono">{blob.id}</span>
                      <span className="text-slate-600 dark:text-slate-400">
                        {blob.status}
                        {blob.total ? ` ${bytesSize(blob.current ?? 0)} / ${bytesSize(blob.total)}` : ''}
                      </span>
                    </div>
                    <div
                      role="progressbar"
                      aria-label={`Blob ${blob.id}`}
                      aria-valuemin={0}
                      aria-valuemax={100}
                      aria-valuenow={fraction === null ? undefined : Math.round(fraction * 100)}
                      className="h-2 overflow-hidden rounded-full bg-slate-200 dark:bg-slate-800"
                    >
                      <div
                        className="h-full rounded-full bg-sky-500"
                        style={{
                          width: `${fraction === null ? (/pushed|exists/i.test(blob.status) ? 100 : 0) : fraction * 100}%`,
                        }}
                      />
                    </div>
                  </li>
                );
              })}
            </ul>
          )}
          <div aria-live="polite">
            {stage.kind === 'done' && <SuccessNote>Pushed: {stage.digest}</SuccessNote>}
            {stage.kind === 'failed' && <ErrorNote>{stage.message}</ErrorNote>}
          </div>
          <div className="flex justify-end gap-2">
            <SecondaryButton type="button" onClick={close}>
              {stage.kind === 'pushing' ? 'Stop following' : 'Close'}
            </SecondaryButton>
            <button
              type="button"
              onClick={start}
              disabled={stage.kind === 'pushing'}
              className="inline-flex items-center justify-center rounded-md bg-sky-600 px-4 py-2 text-sm font-medium text-white hover:bg-sky-700 focus-visible:outline focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-500 disabled:opacity-50"
            >
              {stage.kind === 'pushing' ? 'Pushing…' : 'Push'}
            </button>
          </div>
        </div>
      )}
    </dialog>
  );
}

/** `docker image prune` with a preview of what goes and about how much it frees, computed first. */
export function PruneImagesDialog({
  hostId,
  open,
  onClose,
  onDone,
}: {
  hostId: string;
  open: boolean;
  onClose(): void;
  onDone: Done;
}) {
  const trpc = useTRPC();
  const [all, setAll] = useState(false);
  const preview = useQuery({
    ...trpc.images.prunePreview.queryOptions({ hostId, all }),
    enabled: open,
    staleTime: 0,
  });
  const prune = useMutation(trpc.images.prune.mutationOptions());
  const close = () => {
    prune.reset();
    setAll(false);
    onClose();
  };
  const count = preview.data?.images.length ?? 0;
  return (
    <ActionDialog
      open={open}
      title="Prune images"
      confirmLabel={count === 0 ? 'Nothing to prune' : `Remove ${countOf(count, 'image')}`}
      danger
      busy={prune.isPending}
      confirmDisabled={!preview.data || count === 0}
      onClose={close}
      onConfirm={() =>
        prune.mutate(
          { hostId, all },
          {
            onSuccess: (report) => {
              onDone(
                `Pruned ${report.deleted.length} layers and images, freed ${bytesSize(report.spaceReclaimed)}`,
              );
              close();
            },
          },
        )
      }
    >
      <label className="flex items-center gap-2">
        <input
          type="checkbox"
          className="size-4 accent-sky-600"
          checked={all}
          onChange={(e) => setAll(e.target.checked)}
        />
        Also images with a name that no container uses (not only dangling ones)
      </label>
      {preview.isPending && <p className="text-slate-500">Working out what would go…</p>}
      {preview.isError && <ErrorNote>{preview.error.message}</ErrorNote>}
      {preview.data && (
        <div data-testid="prune-preview" className="space-y-2">
          <p>
            {count === 0
              ? 'Nothing would be removed: every image is named or in use.'
              : `${countOf(count, 'image goes', 'images go')}, freeing up to ${bytesSize(preview.data.bytes)} (layers they share with kept images stay).`}
          </p>
          {count > 0 && (
            <ul className="max-h-48 overflow-y-auto font-mono text-xs">
              {preview.data.images.map((image) => (
                <li key={image.id}>
                  {shortId(image.id)} {image.repoTags.join(', ') || '<none>'} · {bytesSize(image.size)}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
      {prune.isError && <ErrorNote>{prune.error.message}</ErrorNote>}
    </ActionDialog>
  );
}

/** `docker login` on this host: the engine keeps the credentials; they are never shown back. */
export function RegistryLoginDialog({
  hostId,
  open,
  onClose,
  onDone,
}: {
  hostId: string;
  open: boolean;
  onClose(): void;
  onDone: Done;
}) {
  const trpc = useTRPC();
  const login = useMutation(trpc.images.login.mutationOptions());
  const [form, setForm] = useState({ serverAddress: '', username: '', password: '' });
  const close = () => {
    login.reset();
    setForm({ serverAddress: '', username: '', password: '' });
    onClose();
  };
  return (
    <ActionDialog
      open={open}
      title="Log in to a registry"
      confirmLabel="Log in"
      busy={login.isPending}
      confirmDisabled={!form.serverAddress.trim() || !form.username || !form.password}
      onClose={close}
      onConfirm={() =>
        login.mutate(
          {
            hostId,
            serverAddress: form.serverAddress.trim(),
            username: form.username,
            password: form.password,
          },
          {
            onSuccess: (result) => {
              onDone(`Logged in to ${result.serverAddress}`);
              close();
            },
          },
        )
      }
    >
      <p className="text-slate-600 dark:text-slate-400">
        The host checks the credentials with the registry and keeps them for its pulls and pushes. Nobody can
        read the password back.
      </p>
      <Field
        id="login-server"
        label="Registry"
        placeholder="registry.example.com or 127.0.0.1:5000"
        value={form.serverAddress}
        onChange={(e) => setForm({ ...form, serverAddress: e.target.value })}
        autoComplete="off"
      />
      <Field
        id="login-username"
        label="Username"
        value={form.username}
        onChange={(e) => setForm({ ...form, username: e.target.value })}
        autoComplete="username"
      />
      <Field
        id="login-password"
        label="Password or token"
        type="password"
        value={form.password}
        onChange={(e) => setForm({ ...form, password: e.target.value })}
        autoComplete="new-password"
      />
      {login.isError && <ErrorNote>{login.error.message}</ErrorNote>}
    </ActionDialog>
  );
}
