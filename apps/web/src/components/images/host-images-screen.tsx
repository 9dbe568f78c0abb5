'use client';

import { bytesSize, countOf } from '@stevedore/shared';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { useTRPC } from '~/trpc/react';
import { useToast } from '../toasts';
import { Button, ErrorNote, SecondaryButton } from '../ui';
import { useEngineRefresh } from '../use-engine-refresh';
import { LoadImagesDialog, SaveImagesDialog } from './archive-dialogs';
import { ImageDetailsDialog, RemoveImageDialog, TagImageDialog } from './image-dialogs';
import { type ImageTableRow, imageTableRows } from './image-rows';
import { ImageTable } from './image-table';
import { PullDialog } from './pull-dialog';
import { PruneImagesDialog, PushImageDialog, RegistryLoginDialog } from './push-prune-login';
import { RegistryLoginsDialog } from './registry-logins';

type Open =
  | { kind: 'none' }
  | { kind: 'remove' | 'tag' | 'push' | 'history' | 'inspect' | 'save'; row: ImageTableRow };

/** Image events arriving together (a pull tags and pulls) refetch once, this long after the first. */
const SETTLE_MS = 150;

/** The host's Images tab: every image with its names, size and users; operators pull and act. */
export function HostImagesScreen({ hostId }: { hostId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const images = useQuery(trpc.images.list.queryOptions({ hostId }));
  const access = useQuery(trpc.hosts.access.queryOptions({ hostId }));
  const canOperate = access.data?.canOperate === true;
  const rows = useMemo(() => imageTableRows(images.data ?? []), [images.data]);
  const [pulling, setPulling] = useState(false);
  const [pruning, setPruning] = useState(false);
  const [loggingIn, setLoggingIn] = useState(false);
  const [loading, setLoading] = useState(false);
  const [showingLogins, setShowingLogins] = useState(false);
  const [open, setOpen] = useState<Open>({ kind: 'none' });
  const toast = useToast();
  // The list refetches when the host's engine reports an image or container change.
  useEngineRefresh(hostId, ['image', 'container'], [trpc.images.list.queryKey({ hostId })], SETTLE_MS);

  const refresh = () =>
    void queryClient.invalidateQueries({ queryKey: trpc.images.list.queryKey({ hostId }) });
  const done = (message: string) => {
    toast.success(message);
    refresh();
  };
  const rowOf = (kind: Open['kind']) => (open.kind === kind && open.kind !== 'none' ? open.row : null);
  const imageCount = images.data?.length ?? 0;
  const totalSize = (images.data ?? []).reduce((sum, image) => sum + image.size, 0);

  const actionButton = (
    label: string,
    kind: Exclude<Open['kind'], 'none'>,
    row: ImageTableRow,
    danger = false,
  ) => (
    <button
      type="button"
      onClick={() => setOpen({ kind, row })}
      aria-label={`${label} ${row.reference}`}
      className={`rounded px-1.5 py-0.5 text-xs hover:bg-slate-100 focus-visible:outline focus-visible:outline-2 focus-visible:outline-sky-500 dark:hover:bg-slate-800 ${danger ? 'text-red-700 dark:text-red-300' : 'text-sky-700 dark:text-sky-300'}`}
    >
      {label}
    </button>
  );

  return (
    <section className="space-y-3" aria-label="Images">
      <div className="flex flex-wrap items-center gap-2">
        <h2 className="text-lg font-semibold">Images</h2>
        <p className="text-xs text-slate-500" data-testid="images-count">
          {images.isSuccess ? `${countOf(imageCount, 'image')} · ${bytesSize(totalSize)}` : ''}
        </p>
        <div className="ml-auto flex flex-wrap gap-2">
          <SecondaryButton type="button" onClick={() => setShowingLogins(true)}>
            Registry logins
          </SecondaryButton>
          {canOperate && (
            <>
              <SecondaryButton type="button" onClick={() => setPruning(true)}>
                Prune
              </SecondaryButton>
              <SecondaryButton type="button" onClick={() => setLoading(true)}>
                Load images
              </SecondaryButton>
              <Button type="button" onClick={() => setPulling(true)}>
                Pull image
              </Button>
            </>
          )}
        </div>
      </div>
      {images.isError && <ErrorNote>{images.error.message}</ErrorNote>}
      {images.isPending && <p className="text-sm text-slate-500">Loading images…</p>}
      {images.isSuccess && (
        <ImageTable
          rows={rows}
          hostId={hostId}
          actions={
            canOperate
              ? (row) => (
                  <span className="inline-flex flex-wrap justify-end gap-1">
                    {actionButton('History', 'history', row)}
                    {actionButton('Inspect', 'inspect', row)}
                    {actionButton('Tag', 'tag', row)}
                    {row.tag !== '<none>' && actionButton('Push', 'push', row)}
                    {actionButton('Save', 'save', row)}
                    {actionButton('Remove', 'remove', row, true)}
                  </span>
                )
              : (row) => (
                  <span className="inline-flex flex-wrap justify-end gap-1">
                    {actionButton('History', 'history', row)}
                    {actionButton('Inspect', 'inspect', row)}
                  </span>
                )
          }
          empty={
            <>
              No images on this host yet.{' '}
              {canOperate ? (
                <>
                  <SecondaryButton
                    type="button"
                    className="px-2 py-1 text-xs"
                    onClick={() => setPulling(true)}
                  >
                    Pull one
                  </SecondaryButton>{' '}
                  by its reference, e.g. <span className="font-mono">registry.example.com/team/app:1.2</span>.
                </>
              ) : (
                'An operator of this host can pull one here.'
              )}
            </>
          }
        />
      )}
      {canOperate && (
        <PullDialog hostId={hostId} open={pulling} onClose={() => setPulling(false)} onPulled={refresh} />
      )}
      <RemoveImageDialog
        hostId={hostId}
        row={rowOf('remove')}
        onClose={() => setOpen({ kind: 'none' })}
        onDone={done}
      />
      {canOperate && (
        <>
          <PushImageDialog hostId={hostId} row={rowOf('push')} onClose={() => setOpen({ kind: 'none' })} />
          <PruneImagesDialog hostId={hostId} open={pruning} onClose={() => setPruning(false)} onDone={done} />
          <SaveImagesDialog
            hostId={hostId}
            row={rowOf('save')}
            rows={rows}
            onClose={() => setOpen({ kind: 'none' })}
          />
          <LoadImagesDialog
            hostId={hostId}
            open={loading}
            onClose={() => setLoading(false)}
            onLoaded={refresh}
          />
          <RegistryLoginDialog
            hostId={hostId}
            open={loggingIn}
            onClose={() => setLoggingIn(false)}
            onDone={(message) => {
              toast.success(message);
              void queryClient.invalidateQueries({ queryKey: trpc.images.logins.queryKey({ hostId }) });
              setShowingLogins(true);
            }}
          />
        </>
      )}
      <RegistryLoginsDialog
        hostId={hostId}
        open={showingLogins}
        canOperate={canOperate}
        onClose={() => setShowingLogins(false)}
        onLogIn={() => setLoggingIn(true)}
        onDone={(message) => toast.success(message)}
      />
      <TagImageDialog
        hostId={hostId}
        row={rowOf('tag')}
        onClose={() => setOpen({ kind: 'none' })}
        onDone={done}
      />
      <ImageDetailsDialog
        hostId={hostId}
        row={rowOf('history') ?? rowOf('inspect')}
        view={open.kind === 'inspect' ? 'inspect' : 'history'}
        onClose={() => setOpen({ kind: 'none' })}
      />
    </section>
  );
}
