'use client';

import { type HostSummary, Roles, type UserSummary } from '@stevedore/shared';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useState } from 'react';
import { AdminsOnly } from '~/components/admins-only';
import { useToast } from '~/components/toasts';
import { Button, ErrorNote, Field } from '~/components/ui';
import { useTRPC } from '~/trpc/react';

/** From `sm` up the users are a table; below it each is a two-column card. */
const userGrid = 'sm:grid-cols-[minmax(0,1fr)_8rem_minmax(0,1.2fr)_11rem_5rem] sm:gap-3';

const selectClass =
  'rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm dark:border-slate-700 dark:bg-slate-900';

export default function UsersPage() {
  return (
    <AdminsOnly title="Users">
      <UsersAdmin />
    </AdminsOnly>
  );
}

function UsersAdmin() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const users = useQuery(trpc.users.list.queryOptions());
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.users.list.queryKey() });
  const create = useMutation(trpc.users.create.mutationOptions({ onSuccess: refresh }));
  const setRole = useMutation(trpc.users.setRole.mutationOptions({ onSuccess: refresh }));
  const remove = useMutation(trpc.users.remove.mutationOptions({ onSuccess: refresh }));
  const hosts = useQuery(trpc.hosts.list.queryOptions());
  const error = users.error ?? create.error ?? setRole.error ?? remove.error;

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    create.mutate(
      {
        username: String(data.get('new-username')),
        password: String(data.get('new-password')),
        role: String(data.get('new-role')) as (typeof Roles)[number],
      },
      { onSuccess: () => form.reset() },
    );
  };

  return (
    <section className="space-y-4">
      <h1 className="text-2xl font-semibold">Users</h1>
      {error && <ErrorNote>{error.message}</ErrorNote>}
      <div
        data-testid="users-list"
        className="rounded-lg border border-slate-200 bg-white text-sm dark:border-slate-800 dark:bg-slate-900"
      >
        <div
          aria-hidden
          className={`hidden border-b border-slate-200 px-4 py-3 text-xs font-medium uppercase text-slate-500 sm:grid dark:border-slate-800 ${userGrid}`}
        >
          <span>Username</span>
          <span>Role</span>
          <span>May operate</span>
          <span>Created</span>
          <span />
        </div>
        {users.isPending && <p className="px-4 py-6 text-slate-500">Loading…</p>}
        <ul>
          {users.data?.map((user) => (
            <li
              key={user.id}
              data-testid={`user-row-${user.username}`}
              className={`grid grid-cols-[1fr_auto] items-center gap-x-3 gap-y-2 border-b border-slate-100 px-4 py-3 last:border-0 dark:border-slate-800 ${userGrid}`}
            >
              <div className="min-w-0 truncate font-medium">{user.username}</div>
              <div className="justify-self-end sm:justify-self-auto">
                <select
                  aria-label={`Role of ${user.username}`}
                  className={selectClass}
                  value={user.role}
                  onChange={(e) =>
                    setRole.mutate({ userId: user.id, role: e.target.value as typeof user.role })
                  }
                >
                  {Roles.map((role) => (
                    <option key={role}>{role}</option>
                  ))}
                </select>
              </div>
              <div className="min-w-0">
                <span className="mr-1 text-xs text-slate-500 sm:hidden">May operate:</span>
                {user.role === 'admin' ? (
                  'every host'
                ) : user.role === 'viewer' ? (
                  <span className="text-slate-500">nothing (read-only)</span>
                ) : (
                  <HostGrants user={user} hosts={hosts.data ?? []} onSaved={refresh} />
                )}
              </div>
              <div className="hidden text-xs text-slate-500 sm:block">
                {new Date(user.createdAt).toLocaleString()}
              </div>
              <div className="justify-self-end">
                <button
                  type="button"
                  aria-label={`Remove ${user.username}`}
                  className="text-sm text-red-700 hover:underline dark:text-red-400"
                  onClick={() => {
                    if (window.confirm(`Remove ${user.username}?`)) remove.mutate({ userId: user.id });
                  }}
                >
                  Remove
                </button>
              </div>
            </li>
          ))}
        </ul>
      </div>
      <form
        onSubmit={submit}
        aria-label="Add user"
        className="grid gap-3 rounded-lg border border-slate-200 bg-white p-4 sm:grid-cols-[1fr_1fr_auto_auto] sm:items-end dark:border-slate-800 dark:bg-slate-900"
      >
        <Field label="Username" id="new-username" required autoComplete="off" />
        <Field
          label="Password"
          id="new-password"
          type="password"
          minLength={10}
          required
          autoComplete="new-password"
        />
        <div className="space-y-1">
          <label htmlFor="new-role" className="block text-sm font-medium">
            Role
          </label>
          <select id="new-role" name="new-role" className={selectClass} defaultValue="viewer">
            {Roles.map((role) => (
              <option key={role}>{role}</option>
            ))}
          </select>
        </div>
        <Button type="submit" disabled={create.isPending}>
          Add user
        </Button>
      </form>
    </section>
  );
}

/** The hosts an operator may operate: a checkbox per host, saved as one change. */
function HostGrants({ user, hosts, onSaved }: { user: UserSummary; hosts: HostSummary[]; onSaved(): void }) {
  const trpc = useTRPC();
  const toast = useToast();
  const setHosts = useMutation(
    trpc.users.setHosts.mutationOptions({
      onSuccess: (saved) => {
        toast.success(`${saved.username} may operate ${saved.hostIds.length} host(s)`);
        onSaved();
      },
      onError: (error) => toast.error(error.message),
    }),
  );
  // Shown at once as clicked; the saved list replaces it when the server answers.
  const [granted, setGranted] = useState(() => new Set(user.hostIds));
  const saved = user.hostIds.join();
  // biome-ignore lint/correctness/useExhaustiveDependencies: `saved` stands for the server's list
  useEffect(() => setGranted(new Set(user.hostIds)), [saved]);
  const names = hosts.filter((host) => granted.has(host.id)).map((host) => host.name);
  return (
    <details className="group" data-testid={`grants-${user.username}`}>
      <summary className="cursor-pointer rounded text-sky-700 focus-visible:outline focus-visible:outline-2 focus-visible:outline-sky-500 dark:text-sky-400">
        {names.length > 0 ? names.join(', ') : 'no host yet'}
      </summary>
      <fieldset className="mt-2 space-y-1" aria-label={`Hosts ${user.username} may operate`}>
        {hosts.map((host) => (
          <label key={host.id} className="flex items-center gap-2">
            <input
              type="checkbox"
              checked={granted.has(host.id)}
              onChange={(event) => {
                const next = new Set(granted);
                if (event.target.checked) next.add(host.id);
                else next.delete(host.id);
                setGranted(next);
                setHosts.mutate({ userId: user.id, hostIds: [...next] });
              }}
            />
            {host.name}
          </label>
        ))}
      </fieldset>
    </details>
  );
}
