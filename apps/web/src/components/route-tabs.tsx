'use client';

import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { useEffect, useRef } from 'react';

export interface RouteTab {
  label: string;
  /** Appended to the page's base path; '' is the base page itself. */
  path: string;
}

/** A page's tabs as links (deep-linkable, keyboard-reachable), the current one marked. */
export function RouteTabs({ label, base, tabs }: { label: string; base: string; tabs: readonly RouteTab[] }) {
  const pathname = usePathname();
  const nav = useRef<HTMLElement>(null);
  // On a phone the tabs scroll sideways: keep the current one in view.
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs again whenever the route changes
  useEffect(() => {
    nav.current
      ?.querySelector('[aria-current="page"]')
      ?.scrollIntoView({ block: 'nearest', inline: 'nearest' });
  }, [pathname]);
  return (
    <nav
      ref={nav}
      aria-label={label}
      // The fading right edge says there is more to scroll to on a phone.
      className="-mx-4 overflow-x-auto border-b border-slate-200 px-4 [mask-image:linear-gradient(to_right,black_88%,transparent)] sm:[mask-image:none] dark:border-slate-800"
    >
      <ul className="flex min-w-max gap-1">
        {tabs.map((tab) => {
          const href = `${base}${tab.path}`;
          const current = tab.path === '' ? pathname === base : pathname.startsWith(href);
          return (
            <li key={tab.label}>
              <Link
                href={href}
                aria-current={current ? 'page' : undefined}
                className={`-mb-px inline-block border-b-2 px-2.5 py-2 text-sm sm:px-3 focus-visible:outline focus-visible:outline-2 focus-visible:outline-sky-500 ${
                  current
                    ? 'border-sky-600 font-semibold text-slate-900 dark:text-white'
                    : 'border-transparent text-slate-600 hover:border-slate-300 hover:text-slate-900 dark:text-slate-300 dark:hover:text-white'
                }`}
              >
                {tab.label}
              </Link>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
