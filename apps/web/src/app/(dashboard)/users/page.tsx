'use client';

import { Roles } from '@stevedore/shared';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { FormEvent } from 'react';
import { DataTable, rowClass } from '~/components/data-table';
import { Button, ErrorNote, Field } from '~/components/ui';
import { useTRPC } from '~/trpc/react';

const selectClass =
  'rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm dark:border-slate-700 dark:bg-slate-900';

export default function UsersPage() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const users = useQuery(trpc.users.list.queryOptions());
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.users.list.queryKey() });
  const create = useMutation(trpc.users.create.mutationOptions({ onSuccess: refresh }));
  const setRole = useMutation(trpc.users.setRole.mutationOptions({ onSuccess: refresh }));
  const remove = useMutation(trpc.users.remove.mutationOptions({ onSuccess: refresh }));
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
      <DataTable columns={['Username', 'Role', 'Created', '']}>
        {users.data?.map((user) => (
          <tr key={user.id} data-testid={`user-row-${user.username}`} className={rowClass}>
            <td className="px-4 py-3 font-medium">{user.username}</td>
            <td className="px-4 py-3">
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
            </td>
            <td className="px-4 py-3 text-xs text-slate-500">{new Date(user.createdAt).toLocaleString()}</td>
            <td className="px-4 py-3 text-right">
              <button
                type="button"
                className="text-sm text-red-700 hover:underline dark:text-red-400"
                onClick={() => {
                  if (window.confirm(`Remove ${user.username}?`)) remove.mutate({ userId: user.id });
                }}
              >
                Remove
              </button>
            </td>
          </tr>
        ))}
      </DataTable>
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
