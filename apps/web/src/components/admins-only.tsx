'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import type { ReactNode } from 'react';
import { useTRPC } from '~/trpc/react';

/**
 * Renders `children` for admins only; anyone else gets a plain statement of why there is nothing
 * here (the server refuses them anyway) instead of an empty shell of forms that cannot work.
 */
export function AdminsOnly({ title, children }: { title: string; children: ReactNode }) {
  const trpc = useTRPC();
  const me = useQuery(trpc.auth.status.queryOptions());
  const user = me.data?.user;
  if (me.isPending) return <p className="text-sm text-slate-500">Loading…</p>;
  if (user?.role === 'admin') return <>{children}</>;
  return (
    <section className="space-y-3">
      <h1 className="text-2xl font-semibold">{title}</h1>
      <div
        data-testid="admins-only"
        className="max-w-xl rounded-lg border border-slate-200 bg-white p-4 text-sm dark:border-slate-800 dark:bg-slate-900"
      >
        <p className="font-medium">Admins only</p>
        <p className="mt-1 text-slate-600 dark:text-slate-400">
          {title} is managed by admins. You are signed in as {user?.username ?? 'nobody'}
          {user ? ` (${user.role})` : ''}; ask an admin if you need a change here.
        </p>
        <Link href="/hosts" className="mt-3 inline-block text-sky-700 hover:underline dark:text-sky-400">
          Back to hosts
        </Link>
      </div>
    </section>
  );
}
