'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Button, ErrorNote } from '~/components/ui';
import { useTRPC } from '~/trpc/react';

/**
 * An SSH host's pinned host key; admins can ask which key the machine presents now and, when it
 * changed (a reinstall, a rotated key), accept the new one after checking it out of band.
 */
export function SshHostKey({
  hostId,
  pinned,
  isAdmin,
}: {
  hostId: string;
  pinned: string | null;
  isAdmin: boolean;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const check = useMutation(trpc.hosts.checkHostKey.mutationOptions());
  const accept = useMutation(
    trpc.hosts.acceptHostKey.mutationOptions({
      onSuccess: async () => {
        check.reset();
        await queryClient.invalidateQueries({ queryKey: trpc.hosts.pathKey() });
      },
    }),
  );
  const presented = check.data && !check.data.matches ? check.data.presented : null;

  return (
    <section
      aria-label="SSH host key"
      className="space-y-2 rounded-lg border border-slate-200 bg-white p-4 text-sm dark:border-slate-800 dark:bg-slate-900"
    >
      <p>
        <span className="font-medium text-slate-500">Pinned SSH host key </span>
        <code data-testid="pinned-host-key" className="font-mono text-xs sm:text-sm">
          {pinned ?? 'none yet (the first key seen is pinned)'}
        </code>
      </p>
      {isAdmin && (
        <Button type="button" onClick={() => check.mutate({ hostId })} disabled={check.isPending}>
          Check host key
        </Button>
      )}
      {check.data?.matches && <p role="status">The host presents the pinned key.</p>}
      {presented && (
        <div
          role="alert"
          className="space-y-2 rounded-md bg-amber-50 p-3 text-amber-900 dark:bg-amber-950 dark:text-amber-100"
        >
          <p>
            The host key changed. Pinned:{' '}
            <code data-testid="host-key-pinned">{check.data?.pinned ?? 'none'}</code>; presented now:{' '}
            <code data-testid="host-key-presented">{presented}</code>.
          </p>
          <p>
            Accept it only if you know why it changed and the fingerprint matches what{' '}
            <code>ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub</code> prints on the machine itself.
          </p>
          <Button
            type="button"
            onClick={() => accept.mutate({ hostId, fingerprint: presented })}
            disabled={accept.isPending}
          >
            Accept new host key
          </Button>
        </div>
      )}
      {check.isError && <ErrorNote>{check.error.message}</ErrorNote>}
      {accept.isError && <ErrorNote>{accept.error.message}</ErrorNote>}
      {accept.isSuccess && <p role="status">New host key pinned; reconnecting.</p>}
    </section>
  );
}
