'use client';

import { createContext, type ReactNode, useCallback, useContext, useMemo, useRef, useState } from 'react';

interface Toast {
  id: number;
  kind: 'success' | 'error';
  message: string;
}

interface ToastApi {
  success(message: string): void;
  error(message: string): void;
}

const ToastContext = createContext<ToastApi | null>(null);

/**
 * Engine ids (64 hex characters, or `sha256:` digests) shortened to the 12 characters people use,
 * as the CLI prints them; the full text stays in the toast's tooltip. Callers should name things
 * (container and host names), but server errors may still quote an id.
 */
export const shortenIds = (message: string) =>
  message.replace(
    /\b(sha256:)?([0-9a-f]{12})[0-9a-f]{52}\b/g,
    (_, digest: string | undefined, head: string) => `${digest ?? ''}${head}`,
  );
const SHOW_MS = { success: 4_000, error: 8_000 };

/** Short notices in a corner: announced to screen readers, dismissable, gone after a few seconds. */
export function ToastProvider({ children }: { children: ReactNode }) {
  const [toasts, setToasts] = useState<Toast[]>([]);
  const nextId = useRef(1);
  const dismiss = useCallback((id: number) => setToasts((all) => all.filter((toast) => toast.id !== id)), []);
  const show = useCallback(
    (kind: Toast['kind'], message: string) => {
      const id = nextId.current++;
      setToasts((all) => [...all.slice(-4), { id, kind, message }]);
      setTimeout(() => dismiss(id), SHOW_MS[kind]);
    },
    [dismiss],
  );
  const api = useMemo<ToastApi>(
    () => ({ success: (message) => show('success', message), error: (message) => show('error', message) }),
    [show],
  );
  return (
    <ToastContext.Provider value={api}>
      {children}
      <section
        aria-label="Notifications"
        aria-live="polite"
        className="pointer-events-none fixed right-4 bottom-4 z-50 flex w-80 max-w-[calc(100vw-2rem)] flex-col gap-2"
      >
        {toasts.map((toast) => (
          <div
            key={toast.id}
            data-testid={`toast-${toast.kind}`}
            className={`pointer-events-auto flex items-start gap-2 rounded-md px-3 py-2 text-sm shadow-lg ${
              toast.kind === 'success'
                ? 'bg-emerald-700 text-white dark:bg-emerald-600'
                : 'bg-red-700 text-white dark:bg-red-600'
            }`}
          >
            <span className="min-w-0 flex-1 [overflow-wrap:anywhere]" title={toast.message}>
              {shortenIds(toast.message)}
            </span>
            <button
              type="button"
              aria-label="Dismiss"
              onClick={() => dismiss(toast.id)}
              className="rounded px-1 hover:bg-white/20 focus-visible:outline focus-visible:outline-2 focus-visible:outline-white"
            >
              ×
            </button>
          </div>
        ))}
      </section>
    </ToastContext.Provider>
  );
}

export function useToast(): ToastApi {
  const api = useContext(ToastContext);
  if (!api) throw new Error('useToast needs a <ToastProvider> above it');
  return api;
}
