'use client';

import { useMutation, useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { usePathname, useRouter } from 'next/navigation';
import { type ReactNode, useEffect } from 'react';
import { NotificationsBell } from '~/components/alerts/notifications-bell';
import { Logo } from '~/components/logo';
import { NavMenu } from '~/components/nav-menu';
import { ThemeToggle } from '~/components/theme-toggle';
import { useTRPC } from '~/trpc/react';

export default function DashboardLayout({ children }: { children: ReactNode }) {
  const trpc = useTRPC();
  const router = useRouter();
  const status = useQuery(trpc.auth.status.queryOptions());
  const logout = useMutation(trpc.auth.logout.mutationOptions({ onSuccess: () => router.replace('/login') }));
  const loggedOut = status.isSuccess && !status.data.user;
  useEffect(() => {
    if (loggedOut) router.replace('/login');
  }, [loggedOut, router]);

  return (
    <div className="min-h-screen">
      <a
        href="#main"
        className="sr-only focus:not-sr-only focus:absolute focus:top-2 focus:left-2 focus:z-50 focus:rounded focus:bg-sky-600 focus:px-3 focus:py-1 focus:text-white"
      >
        Skip to content
      </a>
      <header className="border-b border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900">
        <nav
          className="mx-auto flex min-h-14 max-w-6xl flex-wrap items-center gap-x-3 gap-y-2 px-4 py-2 md:gap-x-6"
          aria-label="Main"
        >
          <Link href="/hosts" className="flex items-center gap-2 font-semibold tracking-tight">
            <Logo />
            Stevedore
          </Link>
          <NavMenu>
            <NavLink href="/hosts">Hosts</NavLink>
            <NavLink href="/containers">Containers</NavLink>
            <NavLink href="/images">Images</NavLink>
            <NavLink href="/registries">Registries</NavLink>
            <NavLink href="/events">Events</NavLink>
            <NavLink href="/presets">Presets</NavLink>
            <NavLink href="/alerts">Alerts</NavLink>
            {status.data?.user?.role === 'admin' && (
              <>
                <NavLink href="/users">Users</NavLink>
                <NavLink href="/audit">Audit log</NavLink>
              </>
            )}
          </NavMenu>
          <div className="ml-auto flex items-center gap-1 text-sm sm:gap-3">
            {status.data?.user && <NotificationsBell />}
            <ThemeToggle />
            {status.data?.user && (
              <span
                data-testid="current-user"
                className="hidden text-slate-600 sm:inline dark:text-slate-300"
              >
                {status.data.user.username} · {status.data.user.role}
              </span>
            )}
            <button
              type="button"
              onClick={() => logout.mutate()}
              className="rounded-md px-2 py-1 text-slate-600 hover:bg-slate-100 dark:text-slate-300 dark:hover:bg-slate-800"
            >
              Log out
            </button>
          </div>
        </nav>
      </header>
      <main id="main" className="mx-auto max-w-6xl px-4 py-6">
        {children}
      </main>
    </div>
  );
}

function NavLink({ href, children }: { href: string; children: ReactNode }) {
  const active = usePathname().startsWith(href);
  return (
    <Link
      href={href}
      aria-current={active ? 'page' : undefined}
      className={`rounded text-sm hover:text-slate-900 focus-visible:outline focus-visible:outline-2 focus-visible:outline-sky-500 dark:hover:text-white ${
        active ? 'font-semibold text-slate-900 dark:text-white' : 'text-slate-600 dark:text-slate-300'
      }`}
    >
      {children}
    </Link>
  );
}
