'use client';

import {
  type FocusEvent,
  type KeyboardEvent,
  type ReactNode,
  useEffect,
  useId,
  useRef,
  useState,
} from 'react';

/**
 * The main nav's links: in the bar from `md` up; below it, behind a Menu button that opens them as a
 * dropdown sheet (nine links would wrap into three rows on a phone). The links are the same
 * children in both places; the sheet is rendered only while open.
 */
export function NavMenu({ children }: { children: ReactNode }) {
  const [open, setOpen] = useState(false);
  const panelId = useId();
  const button = useRef<HTMLButtonElement>(null);
  const panel = useRef<HTMLDivElement>(null);
  const wrapper = useRef<HTMLDivElement>(null);

  const close = (returnFocus: boolean) => {
    setOpen(false);
    if (returnFocus) button.current?.focus();
  };

  useEffect(() => {
    if (!open) return;
    panel.current?.querySelector<HTMLElement>('a, button')?.focus();
    const outside = (event: PointerEvent) => {
      if (!wrapper.current?.contains(event.target as Node)) setOpen(false);
    };
    document.addEventListener('pointerdown', outside);
    return () => document.removeEventListener('pointerdown', outside);
  }, [open]);

  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === 'Escape' && open) {
      event.stopPropagation();
      close(true);
    }
  };
  // Tabbing out of the sheet closes it (focus has moved on; a sheet left open would cover the page).
  const onBlur = (event: FocusEvent) => {
    if (open && !wrapper.current?.contains(event.relatedTarget as Node | null)) setOpen(false);
  };

  return (
    <>
      <div className="hidden md:contents">{children}</div>
      {/* biome-ignore lint/a11y/noStaticElementInteractions: Esc and focus-out for the button and the sheet inside */}
      <div
        ref={wrapper}
        className="relative md:hidden"
        onKeyDown={onKeyDown}
        onBlur={onBlur}
        // A link followed (this page's own too): the sheet closes.
        onClick={(event) => {
          if ((event.target as HTMLElement).closest('a')) setOpen(false);
        }}
      >
        <button
          ref={button}
          type="button"
          aria-expanded={open}
          aria-controls={panelId}
          onClick={() => setOpen((was) => !was)}
          data-testid="nav-menu-button"
          className="inline-flex items-center gap-1.5 rounded-md border border-slate-200 px-2.5 py-1 text-sm text-slate-700 hover:bg-slate-100 focus-visible:outline focus-visible:outline-2 focus-visible:outline-sky-500 dark:border-slate-700 dark:text-slate-200 dark:hover:bg-slate-800"
        >
          <svg aria-hidden="true" viewBox="0 0 16 16" className="size-4" fill="none" stroke="currentColor">
            {open ? (
              <path d="M4 4l8 8M12 4l-8 8" strokeWidth="1.5" strokeLinecap="round" />
            ) : (
              <path d="M2.5 4h11M2.5 8h11M2.5 12h11" strokeWidth="1.5" strokeLinecap="round" />
            )}
          </svg>
          Menu
        </button>
        {open && (
          <div
            ref={panel}
            id={panelId}
            data-testid="nav-menu"
            className="absolute left-0 top-full z-40 mt-2 flex w-56 flex-col rounded-lg border border-slate-200 bg-white py-1 shadow-lg dark:border-slate-700 dark:bg-slate-900 [&>a]:px-4 [&>a]:py-2 [&>a]:text-base [&>a:hover]:bg-slate-100 dark:[&>a:hover]:bg-slate-800"
          >
            {children}
          </div>
        )}
      </div>
    </>
  );
}
