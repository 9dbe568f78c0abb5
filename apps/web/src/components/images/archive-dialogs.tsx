'use client';

import { bytesSize, countOf, type LoadedImages } from '@stevedore/shared';
import { useEffect, useRef, useState } from 'react';
import { ErrorNote, SecondaryButton, SuccessNote } from '../ui';
import type { ImageTableRow } from './image-rows';
import { shortId } from './image-rows';

const dialogClass =
  'm-auto w-[32rem] max-w-[calc(100vw-2rem)] rounded-lg border border-slate-200 bg-white p-0 text-slate-900 shadow-xl backdrop:bg-slate-900/50 dark:border-slate-700 dark:bg-slate-900 dark:text-slate-100';
const primaryClass =
  'inline-flex items-center justify-center rounded-md bg-sky-600 px-4 py-2 text-sm font-medium text-white hover:bg-sky-700 focus-visible:outline focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-500 aria-disabled:pointer-events-none aria-disabled:opacity-50 disabled:opacity-50';

/** The web server's streamed download of `docker save` (server/http/image-archive.ts). */
export function imageSaveUrl(hostId: string, references: readonly string[]): string {
  const query = new URLSearchParams({ hostId });
  for (const reference of references) query.append('image', reference);
  return `/api/images/save?${query}`;
}

/**
 * `docker save`: the chosen images (the row's, and any others ticked) as one tar, downloaded by the
 * browser straight from the host's stream, whatever its size.
 */
export function SaveImagesDialog({
  hostId,
  row,
  rows,
  onClose,
}: {
  hostId: string;
  /** The image the dialog was opened for (ticked first); null keeps the dialog closed. */
  row: ImageTableRow | null;
  rows: readonly ImageTableRow[];
  onClose(): void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const [chosen, setChosen] = useState<string[]>([]);
  useEffect(() => {
    setChosen(row ? [row.reference] : []);
    const dialog = ref.current;
    if (!dialog) return;
    if (row && !dialog.open) dialog.showModal();
    if (!row && dialog.open) dialog.close();
  }, [row]);
  const size = rows
    .filter((candidate) => chosen.includes(candidate.reference))
    .reduce((sum, candidate, index, all) => {
      // An image under two names is in the archive once.
      const first = all.findIndex((other) => other.image.id === candidate.image.id) === index;
      return first ? sum + candidate.image.size : sum;
    }, 0);
  const toggle = (reference: string, on: boolean) =>
    setChosen((old) => (on ? [...old, reference] : old.filter((name) => name !== reference)));
  return (
    <dialog ref={ref} aria-label="Save images" onClose={onClose} className={dialogClass}>
      {row && (
        <div className="space-y-4 p-5 text-sm">
          <h2 className="text-lg font-semibold">Save images</h2>
          <p className="text-slate-600 dark:text-slate-400">
            One tar archive (as <span className="font-mono">docker save</span> writes it) with the images
            ticked here; load it on any host with <span className="font-mono">Load images</span> or{' '}
            <span className="font-mono">docker load</span>.
          </p>
          <fieldset className="max-h-56 space-y-1 overflow-y-auto rounded border border-slate-200 p-2 dark:border-slate-700">
            <legend className="px-1 text-xs text-slate-500">Images</legend>
            {rows.map((candidate) => (
              <label key={candidate.key} className="flex items-center gap-2 text-xs">
                <input
                  type="checkbox"
                  className="size-4 accent-sky-600"
                  checked={chosen.includes(candidate.reference)}
                  onChange={(e) => toggle(candidate.reference, e.target.checked)}
                />
                <span className="font-mono break-all">
                  {candidate.tag === '<none>' ? shortId(candidate.image.id) : candidate.reference}
                </span>
                <span className="ml-auto shrink-0 text-slate-500">{bytesSize(candidate.image.size)}</span>
              </label>
            ))}
          </fieldset>
          <p className="text-xs text-slate-500">
            {chosen.length === 0
              ? 'Tick at least one image.'
              : `About ${bytesSize(size)} before compression.`}
          </p>
          <div className="flex justify-end gap-2">
            <SecondaryButton type="button" onClick={onClose}>
              Close
            </SecondaryButton>
            <a
              href={chosen.length > 0 ? imageSaveUrl(hostId, chosen) : undefined}
              download
              aria-disabled={chosen.length === 0}
              data-testid="image-save-download"
              className={primaryClass}
            >
              Download {chosen.length === 1 ? 'image' : `${chosen.length} images`}
            </a>
          </div>
        </div>
      )}
    </dialog>
  );
}

type Upload =
  | { kind: 'idle' }
  | { kind: 'uploading'; sent: number; total: number }
  | { kind: 'loading' }
  | { kind: 'done'; images: LoadedImages }
  | { kind: 'failed'; message: string };

/**
 * `docker load` of a file from this computer: uploaded as a stream with its progress, loaded by
 * the host all or nothing; the result names each image brought in.
 */
export function LoadImagesDialog({
  hostId,
  open,
  onClose,
  onLoaded,
}: {
  hostId: string;
  open: boolean;
  onClose(): void;
  onLoaded(images: LoadedImages): void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const request = useRef<XMLHttpRequest | null>(null);
  const [file, setFile] = useState<File | null>(null);
  const [upload, setUpload] = useState<Upload>({ kind: 'idle' });
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);
  useEffect(() => () => request.current?.abort(), []);
  const busy = upload.kind === 'uploading' || upload.kind === 'loading';

  const start = () => {
    if (!file) return;
    const xhr = new XMLHttpRequest();
    request.current = xhr;
    setUpload({ kind: 'uploading', sent: 0, total: file.size });
    xhr.upload.onprogress = (event) =>
      setUpload({
        kind: 'uploading',
        sent: event.loaded,
        total: event.lengthComputable ? event.total : file.size,
      });
    // Every byte is sent: the host is now reading the archive into its store.
    xhr.upload.onload = () => setUpload({ kind: 'loading' });
    xhr.onload = () => {
      request.current = null;
      let body: { images?: LoadedImages; message?: string } = {};
      try {
        body = JSON.parse(xhr.responseText) as typeof body;
      } catch {
        body = { message: xhr.responseText || `HTTP ${xhr.status}` };
      }
      if (xhr.status === 200 && body.images) {
        setUpload({ kind: 'done', images: body.images });
        onLoaded(body.images);
      } else setUpload({ kind: 'failed', message: body.message ?? `HTTP ${xhr.status}` });
    };
    xhr.onerror = () => {
      request.current = null;
      setUpload({ kind: 'failed', message: 'the upload failed: the connection to the dashboard broke' });
    };
    xhr.onabort = () => {
      request.current = null;
      setUpload({ kind: 'failed', message: 'upload cancelled: nothing was loaded' });
    };
    const query = new URLSearchParams({ hostId, file: file.name.slice(0, 255) });
    xhr.open('POST', `/api/images/load?${query}`);
    xhr.setRequestHeader('content-type', 'application/x-tar');
    xhr.send(file);
  };
  const close = () => {
    request.current?.abort();
    request.current = null;
    setFile(null);
    setUpload({ kind: 'idle' });
    onClose();
  };
  const fraction = upload.kind === 'uploading' && upload.total > 0 ? upload.sent / upload.total : null;

  return (
    <dialog ref={ref} aria-label="Load images" onClose={close} className={dialogClass}>
      {open && (
        <div className="space-y-4 p-5">
          <h2 className="text-lg font-semibold">Load images</h2>
          <p className="text-sm text-slate-600 dark:text-slate-400">
            A tar archive from <span className="font-mono">docker save</span> (or an OCI layout, plain or
            gzip-compressed), of any size: it streams to the host, which keeps all of its images or, if
            anything is wrong with it, none.
          </p>
          <label className="block space-y-1 text-sm">
            <span className="font-medium">Archive</span>
            <input
              type="file"
              data-testid="image-load-file"
              accept=".tar,.tar.gz,.tgz,.tar.zst,application/x-tar,application/gzip"
              disabled={busy}
              onChange={(e) => {
                setFile(e.target.files?.[0] ?? null);
                setUpload({ kind: 'idle' });
              }}
              className="block w-full text-sm file:mr-3 file:rounded-md file:border-0 file:bg-slate-100 file:px-3 file:py-1.5 file:text-sm dark:file:bg-slate-800 dark:file:text-slate-100"
            />
            {file && <span className="text-xs text-slate-500">{bytesSize(file.size)}</span>}
          </label>
          {(upload.kind === 'uploading' || upload.kind === 'loading') && (
            <div className="space-y-1 text-xs">
              <div className="flex justify-between">
                <span>{upload.kind === 'uploading' ? 'Uploading' : 'Loading on the host…'}</span>
                {upload.kind === 'uploading' && (
                  <span>
                    {bytesSize(upload.sent)} / {bytesSize(upload.total)}
                  </span>
                )}
              </div>
              <div
                role="progressbar"
                aria-label="Upload"
                aria-valuemin={0}
                aria-valuemax={100}
                aria-valuenow={
                  fraction === null
                    ? upload.kind === 'loading'
                      ? 100
                      : undefined
                    : Math.round(fraction * 100)
                }
                className="h-2 overflow-hidden rounded-full bg-slate-200 dark:bg-slate-800"
              >
                <div
                  className={`h-full rounded-full bg-sky-500 ${upload.kind === 'loading' ? 'animate-pulse' : ''}`}
                  style={{ width: `${upload.kind === 'loading' ? 100 : (fraction ?? 0) * 100}%` }}
                />
              </div>
            </div>
          )}
          <div aria-live="polite" data-testid="image-load-result">
            {upload.kind === 'done' && (
              <SuccessNote>
                Loaded {countOf(upload.images.length, 'image')}:{' '}
                {upload.images
                  .map((image) => (image.tags.length > 0 ? image.tags.join(', ') : shortId(image.id)))
                  .join('; ')}
              </SuccessNote>
            )}
            {upload.kind === 'failed' && <ErrorNote>{upload.message}</ErrorNote>}
          </div>
          <div className="flex justify-end gap-2">
            <SecondaryButton type="button" onClick={close}>
              {busy ? 'Cancel' : 'Close'}
            </SecondaryButton>
            <button type="button" onClick={start} disabled={!file || busy} className={primaryClass}>
              {busy ? 'Loading…' : 'Load'}
            </button>
          </div>
        </div>
      )}
    </dialog>
  );
}
