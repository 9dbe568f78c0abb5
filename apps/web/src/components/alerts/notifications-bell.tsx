'use client';

import type { AlertPanel } from '@stevedore/shared';
import { useSubscription } from '@trpc/tanstack-react-query';
import Link from 'next/link';
import { useEffect, useId, useRef, useState } from 'react';
import { useTRPC } from '~/trpc/react';
import { AlertItem } from './alert-item';

/**
 * The bell in the dashboard's chrome: how many alerts fire now, and a panel listing them with the
 * ones resolved lately, each linked to its container or host. Pushed live by the server.
 */
export function NotificationsBell() {
  const trpc = useTRPC();
  const [panel, setPanel] = useState<AlertPanel | null>(null);
  const subscription = useSubscription(
    trpc.alerts.watchPanel.subscriptionOptions(undefined, { onData: (data) => setPanel(data) }),
  );
  const [open, setOpen] = useState(false);
  const wrapper = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  const panelId = useId();
  useEffect(() => {
    if (!open) return;
    const onKey = (event: KeyboardEvent) => {
      if (event.key !== 'Escape') return;
      setOpen(false);
      button.current?.focus();
    };
    const onClick = (event: MouseEvent) => {
      if (!wrapper.current?.contains(event.target as Node)) setOpen(false);
    };
    document.addEventListener('keydown', onKey);
    document.addEventListener('mousedown', onClick);
    return () => {
      document.removeEventListener('keydown', onKey);
      document.removeEventListener('mousedown', onClick);
    };
  }, [open]);
  const count = panel?.firingCount ?? 0;
  const close = () => setOpen(false);

  return (
    <div ref={wrapper} className="sm:relative">
      <button
        ref={button}
        type="button"
        data-testid="alerts-bell"
        aria-label={count > 0 ? `Notifications: ${count} alert(s) firing` : 'Notifications: nothing firing'}
        aria-expanded={open}
        aria-controls={panelId}
        onClick={() => setOpen(!open)}
        className="relative rounded-md p-1.5 text-slate-600 hover:bg-slate-100 focus-visible:outline focus-visible:outline-2 focus-visible:outline-sky-500 dark:text-slate-300 dark:hover:bg-slate-800"
      >
        <svg
          aria-hidden
          viewBox="0 0 24 24"
          className="h-5 w-5"
          fill="none"
          stroke="currentColor"
          strokeWidth="2"
        >
          <path
            strokeLinecap="round"
            strokeLinejoin="round"
            d="M6 8a6 6 0 1 1 12 0c0 7 3 9 3 9H3s3-2 3-9M10.3 21a1.94 1.94 0 0 0 3.4 0"
          />
        </svg>
        {count > 0 && (
          <span
            data-testid="alerts-count"
            className="absolute -top-1 -right-1 min-w-5 rounded-full bg-red-600 px-1 text-center text-xs font-semibold leading-5 text-white"
          >
            {count > 99 ? '99+' : count}
          </span>
        )}
      </button>
      {open && (
        <section
          id={panelId}
          aria-label="Alert notifications"
          data-testid="alerts-panel"
          className="fixed inset-x-2 top-16 z-40 max-h-[70vh] overflow-y-auto rounded-lg border border-slate-200 bg-white p-3 text-left shadow-lg sm:absolute sm:inset-x-auto sm:right-0 sm:top-full sm:mt-2 sm:w-96 dark:border-slate-700 dark:bg-slate-900"
        >
          <div className="mb-2 flex items-center justify-between gap-2">
            <h2 className="text-sm font-semibold">Alerts firing ({count})</h2>
            <Link
              href="/alerts"
              onClick={close}
              className="text-sm text-sky-700 hover:underline dark:text-sky-400"
            >
              All alerts and rules
            </Link>
          </div>
          {!panel && !subscription.error && <p className="text-sm text-slate-500">Loading…</p>}
          {subscription.error && (
            <p role="alert" className="text-sm text-red-700 dark:text-red-300">
              Alerts could not be loaded: {subscription.error.message}
            </p>
          )}
          {panel && panel.firing.length === 0 && (
            <p className="text-sm text-slate-600 dark:text-slate-400">
              Nothing fires now.{' '}
              <Link href="/alerts" onClick={close} className="text-sky-700 hover:underline dark:text-sky-400">
                Rules
              </Link>{' '}
              decide what does.
            </p>
          )}
          <ul className="divide-y divide-slate-100 dark:divide-slate-800">
            {panel?.firing.map((alert) => (
              <li key={alert.id} className="py-2">
                <AlertItem alert={alert} onNavigate={close} />
              </li>
            ))}
          </ul>
          {panel && panel.recentlyResolved.length > 0 && (
            <>
              <h3 className="mt-3 mb-1 text-xs font-semibold uppercase text-slate-500">
                Resolved in the last day
              </h3>
              <ul className="divide-y divide-slate-100 dark:divide-slate-800">
                {panel.recentlyResolved.map((alert) => (
                  <li key={alert.id} className="py-2">
                    <AlertItem alert={alert} onNavigate={close} />
                  </li>
                ))}
              </ul>
            </>
          )}
        </section>
      )}
    </div>
  );
}
