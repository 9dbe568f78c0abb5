'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useRouter, useSearchParams } from 'next/navigation';
import { type FormEvent, Suspense } from 'react';
import { Logo } from '~/components/logo';
import { Button, ErrorNote, Field } from '~/components/ui';
import { safeRedirectPath } from '~/lib/safe-redirect';
import { useTRPC } from '~/trpc/react';

function LoginForm() {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const params = useSearchParams();
  const status = useQuery(trpc.auth.status.queryOptions());
  const onSuccess = async () => {
    await queryClient.invalidateQueries();
    router.replace(safeRedirectPath(params.get('next')));
  };
  const setup = useMutation(trpc.auth.setup.mutationOptions({ onSuccess }));
  const login = useMutation(trpc.auth.login.mutationOptions({ onSuccess }));

  if (status.isPending) return <p className="text-sm text-slate-500">Loading…</p>;
  if (status.isError) return <ErrorNote>{status.error.message}</ErrorNote>;

  const firstRun = status.data.needsSetup;
  const mutation = firstRun ? setup : login;
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const credentials = { username: String(form.get('username')), password: String(form.get('password')) };
    if (firstRun) setup.mutate({ ...credentials, setupCode: String(form.get('setupCode')) });
    else login.mutate(credentials);
  };

  return (
    <form onSubmit={submit} className="space-y-4">
      <h1 className="text-xl font-semibold">
        {firstRun ? 'Create the admin account' : 'Log in to Stevedore'}
      </h1>
      {firstRun && (
        <p className="text-sm text-slate-600 dark:text-slate-400">
          This is the first start: the account you create now administers every host. The set-up code proves
          you run this server: <code>npm start</code> printed it, and it is in the file{' '}
          <code>setup-code</code> of the dashboard's data directory (readable by root only).
        </p>
      )}
      {firstRun && (
        <Field label="Set-up code" id="setupCode" autoComplete="one-time-code" spellCheck={false} required />
      )}
      <Field label="Username" id="username" autoComplete="username" required />
      <Field
        label="Password"
        id="password"
        type="password"
        autoComplete={firstRun ? 'new-password' : 'current-password'}
        minLength={firstRun ? 10 : 1}
        required
      />
      {mutation.isError && <ErrorNote>{mutation.error.message}</ErrorNote>}
      <Button type="submit" disabled={mutation.isPending} className="w-full">
        {firstRun ? 'Create admin and log in' : 'Log in'}
      </Button>
    </form>
  );
}

export default function LoginPage() {
  return (
    <main className="flex min-h-screen items-center justify-center p-4">
      <div className="w-full max-w-sm rounded-lg border border-slate-200 bg-white p-6 shadow-sm dark:border-slate-800 dark:bg-slate-900">
        <div className="mb-4 flex items-center gap-2 text-lg font-semibold tracking-tight">
          <Logo className="h-8 w-8" />
          Stevedore
        </div>
        <Suspense>
          <LoginForm />
        </Suspense>
      </div>
    </main>
  );
}
