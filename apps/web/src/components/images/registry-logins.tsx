'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { useTRPC } from '~/trpc/react';
import { ErrorNote, SecondaryButton } from '../ui';

/**
 * The registries this host is logged in to (names only: the engine never sends credentials back),
 * each with a logout; operators add another with the login dialog.
 */
export function RegistryLoginsDialog({
  hostId,
  open,
  canOperate,
  onClose,
  onLogIn,
  onDone,
}: {
  hostId: string;
  open: boolean;
  canOperate: boolean;
  onClose(): void;
  /** Opens the login form (this dialog closes first). */
  onLogIn(): void;
  onDone(message: string): void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const ref = useRef<HTMLDialogElement>(null);
  const logins = useQuery({ ...trpc.images.logins.queryOptions({ hostId }), enabled: open, staleTime: 0 });
  const logout = useMutation(
    trpc.images.logout.mutationOptions({
      onSuccess: (_result, input) => {
        onDone(`Logged out of ${input.serverAddress}`);
        void queryClient.invalidateQueries({ queryKey: trpc.images.logins.queryKey({ hostId }) });
      },
    }),
  );
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);
  const close = () => {
    logout.reset();
    onClose();
  };
  return (
    <dialog
      ref={ref}
      aria-label="Registry logins"
      onClose={close}
      className="m-auto w-[28rem] max-w-[calc(100vw-2rem)] rounded-lg border border-slate-200 bg-white p-0 text-slate-900 shadow-xl backdrop:bg-slate-900/50 dark:border-slate-700 dark:bg-slate-900 dark:text-slate-100"
    >
      {open && (
        <div className="space-y-4 p-5 text-sm">
          <h2 className="text-lg font-semibold">Registry logins</h2>
          <p className="text-slate-600 dark:text-slate-400">
            Registries this host pulls from and pushes to with its own credentials. The engine keeps them;
            only their names are shown here.
          </p>
          {logins.isPending && <p className="text-slate-500">Loading…</p>}
          {logins.isError && <ErrorNote>{logins.error.message}</ErrorNote>}
          {logins.data && logins.data.length === 0 && (
            <p className="rounded border border-dashed border-slate-300 p-3 text-slate-600 dark:border-slate-700 dark:text-slate-400">
              Not logged in to any registry: pulls and pushes are anonymous.
              {canOperate ? ' Log in to reach private repositories.' : ''}
            </p>
          )}
          {logins.data && logins.data.length > 0 && (
            <ul
              className="divide-y divide-slate-200 rounded border border-slate-200 dark:divide-slate-700 dark:border-slate-700"
              data-testid="registry-logins"
            >
              {logins.data.map((server) => (
                <li key={server} className="flex items-center gap-2 px-3 py-2">
                  <span className="font-mono break-all">{server}</span>
                  {canOperate && (
                    <SecondaryButton
                      type="button"
                      className="ml-auto px-2 py-1 text-xs"
                      aria-label={`Log out of ${server}`}
                      disabled={logout.isPending}
                      onClick={() => logout.mutate({ hostId, serverAddress: server })}
                    >
                      Log out
                    </SecondaryButton>
                  )}
                </li>
              ))}
            </ul>
          )}
          {logout.isError && <ErrorNote>{logout.error.message}</ErrorNote>}
          <div className="flex justify-end gap-2">
            <SecondaryButton type="button" onClick={close}>
              Close
            </SecondaryButton>
            {canOperate && (
              <button
                type="button"
                onClick={() => {
                  close();
                  onLogIn();
                }}
                className="inline-flex items-center justify-center rounded-md bg-sky-600 px-4 py-2 text-sm font-medium text-white hover:bg-sky-700 focus-visible:outline focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-500"
              >
                Log in to a registry
              </button>
            )}
          </div>
        </div>
      )}
    </dialog>
  );
}
