'use client';

import '@xterm/xterm/css/xterm.css';
import type { ConsoleEvent } from '@stevedore/shared';
import type { FitAddon } from '@xterm/addon-fit';
import type { Terminal } from '@xterm/xterm';
import { useCallback, useEffect, useRef, useState } from 'react';
import { useTRPCClient } from '~/trpc/react';
import { SecondaryButton } from '../ui';
import { base64ToBytes, SerialWriter, textToBase64 } from './terminal-io';

export type ConsoleTarget = { mode: 'exec'; command: string[]; user: string } | { mode: 'attach' };

type Status =
  | { kind: 'idle' }
  | { kind: 'connecting' }
  | { kind: 'open' }
  | { kind: 'ended'; exitCode: number; missingCommand: string | null }
  | { kind: 'failed'; message: string };

const SHELL_SUGGESTIONS = ['sh', 'bash', 'ash'];

const THEME = {
  background: '#0f172a',
  foreground: '#e2e8f0',
  cursor: '#38bdf8',
  selectionBackground: '#334155',
};

/**
 * An xterm.js terminal bound to one console session: output from the subscription, keystrokes and
 * size back through the write/resize mutations. `target` changes (or Reconnect) open a new session.
 */
export function ConsoleTerminal({
  hostId,
  containerId,
  target,
  generation,
  onReconnect,
}: {
  hostId: string;
  containerId: string;
  target: ConsoleTarget | null;
  /** Bumped to open a new session with the same target. */
  generation: number;
  onReconnect(): void;
}) {
  const client = useTRPCClient();
  const element = useRef<HTMLDivElement>(null);
  const terminal = useRef<{ term: Terminal; fit: FitAddon } | null>(null);
  const session = useRef<{ id: string | null; writer: SerialWriter; generation: number } | null>(null);
  const [loaded, setLoaded] = useState(false);
  const [status, setStatus] = useState<Status>({ kind: 'idle' });
  const [notice, setNotice] = useState<string | null>(null);

  const resize = useCallback(
    (rows: number, cols: number) => {
      const id = session.current?.id;
      if (!id) return;
      client.containers.console.resize
        .mutate({ hostId, sessionId: id, rows, cols })
        .catch((error: unknown) => setNotice(`resize failed: ${(error as Error).message}`));
    },
    [client, hostId],
  );

  // The terminal itself: created once (xterm needs the DOM, so it loads in the browser only).
  useEffect(() => {
    let disposed = false;
    let observer: ResizeObserver | null = null;
    let frame = 0;
    void (async () => {
      const [{ Terminal }, { FitAddon }] = await Promise.all([
        import('@xterm/xterm'),
        import('@xterm/addon-fit'),
      ]);
      if (disposed || !element.current) return;
      const term = new Terminal({
        cursorBlink: true,
        fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace',
        fontSize: 13,
        scrollback: 5_000,
        theme: THEME,
      });
      const fit = new FitAddon();
      term.loadAddon(fit);
      term.open(element.current);
      fit.fit();
      // Ctrl+Shift+C copies the selection (plain Ctrl+C stays the interrupt); pasting goes through
      // the browser's paste event, which xterm turns into input.
      term.attachCustomKeyEventHandler((event) => {
        if (event.type === 'keydown' && event.ctrlKey && event.shiftKey && event.code === 'KeyC') {
          if (term.hasSelection()) void navigator.clipboard.writeText(term.getSelection());
          return false;
        }
        return true;
      });
      term.onData((data) => session.current?.writer.write(data));
      term.onResize(({ rows, cols }) => resize(rows, cols));
      observer = new ResizeObserver(() => {
        cancelAnimationFrame(frame);
        frame = requestAnimationFrame(() => fit.fit());
      });
      observer.observe(element.current);
      terminal.current = { term, fit };
      setLoaded(true);
    })();
    return () => {
      disposed = true;
      cancelAnimationFrame(frame);
      observer?.disconnect();
      terminal.current?.term.dispose();
      terminal.current = null;
    };
  }, [resize]);

  // One session per target and generation; leaving the page or changing the target ends it.
  useEffect(() => {
    const current = terminal.current;
    if (!loaded || !current || !target) return;
    const { term, fit } = current;
    fit.fit();
    term.reset();
    setNotice(null);
    setStatus({ kind: 'connecting' });
    const writer = new SerialWriter(
      async (text) => {
        const id = session.current?.id;
        if (!id) return;
        await client.containers.console.write.mutate({ hostId, sessionId: id, data: textToBase64(text) });
      },
      (error) => setNotice(`input not delivered: ${(error as Error).message}`),
    );
    const mine = { id: null as string | null, writer, generation };
    session.current = mine;
    const base = { hostId, container: containerId, rows: term.rows, cols: term.cols };
    const input = target.mode === 'exec' ? { ...base, ...target } : { ...base, mode: 'attach' as const };
    const subscription = client.containers.console.open.subscribe(input, {
      onData: (event: ConsoleEvent) => {
        if (session.current !== mine) return;
        switch (event.type) {
          case 'ready':
            mine.id = event.sessionId;
            setStatus({ kind: 'open' });
            // The size may have changed while the session opened.
            if (term.rows !== base.rows || term.cols !== base.cols) resize(term.rows, term.cols);
            term.focus();
            break;
          case 'output':
            term.write(base64ToBytes(event.data));
            break;
          case 'dropped':
            term.write(
              `\r\n\x1b[33m[${event.bytes} bytes of output skipped: the browser fell behind]\x1b[0m\r\n`,
            );
            break;
          case 'exit':
            mine.id = null;
            setStatus({ kind: 'ended', exitCode: event.exitCode, missingCommand: event.missingCommand });
            subscription.unsubscribe();
            break;
        }
      },
      onError: (error) => {
        if (session.current !== mine) return;
        mine.id = null;
        setStatus({ kind: 'failed', message: error.message });
        subscription.unsubscribe();
      },
      onComplete: () => {
        if (session.current !== mine) return;
        mine.id = null;
        setStatus((previous) =>
          previous.kind === 'ended' ? previous : { kind: 'ended', exitCode: 0, missingCommand: null },
        );
      },
    });
    return () => {
      if (session.current === mine) session.current = null;
      subscription.unsubscribe();
    };
  }, [loaded, target, generation, client, hostId, containerId, resize]);

  const copySelection = () => {
    const term = terminal.current?.term;
    if (term?.hasSelection()) void navigator.clipboard.writeText(term.getSelection());
    term?.focus();
  };
  const paste = async () => {
    const term = terminal.current?.term;
    try {
      const text = await navigator.clipboard.readText();
      term?.paste(text);
    } catch {
      setNotice('the browser refused clipboard access: paste with Ctrl+V / ⌘V inside the terminal');
    }
    term?.focus();
  };

  return (
    <div className="space-y-2">
      <div className="flex flex-wrap items-center gap-2 text-sm">
        <span data-testid="console-status" aria-live="polite" className="mr-auto">
          <StatusText status={status} target={target} />
        </span>
        <SecondaryButton className="px-3 py-1.5 text-xs" onClick={copySelection}>
          Copy selection
        </SecondaryButton>
        <SecondaryButton className="px-3 py-1.5 text-xs" onClick={() => void paste()}>
          Paste
        </SecondaryButton>
        {(status.kind === 'ended' || status.kind === 'failed') && (
          <SecondaryButton className="px-3 py-1.5 text-xs" onClick={onReconnect}>
            Reconnect
          </SecondaryButton>
        )}
      </div>
      {status.kind === 'ended' && status.missingCommand && (
        <p
          role="alert"
          className="rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-900 dark:bg-amber-950 dark:text-amber-100"
        >
          This image has no <code className="font-mono">{status.missingCommand}</code>. Try{' '}
          {SHELL_SUGGESTIONS.filter((shell) => shell !== status.missingCommand).join(' or ')}, or a command
          the image has (distroless images have no shell at all).
        </p>
      )}
      {status.kind === 'failed' && (
        <p
          role="alert"
          className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-800 dark:bg-red-950 dark:text-red-200"
        >
          {status.message}
        </p>
      )}
      {notice && <p className="text-xs text-amber-700 dark:text-amber-300">{notice}</p>}
      <div
        ref={element}
        data-testid="console-terminal"
        className="h-[60vh] min-h-64 w-full overflow-hidden rounded-lg border border-slate-300 bg-[#0f172a] p-2 dark:border-slate-700"
      />
      <p className="text-xs text-slate-500">
        Select text to copy it with Ctrl+Shift+C (⌘C on a Mac); paste with Ctrl+V or ⌘V. Leaving the page ends
        a shell session; an attached main process keeps running.
      </p>
    </div>
  );
}

function StatusText({ status, target }: { status: Status; target: ConsoleTarget | null }) {
  const what = target?.mode === 'attach' ? 'main process' : (target?.command.join(' ') ?? '');
  switch (status.kind) {
    case 'idle':
      return <span className="text-slate-500">Not connected.</span>;
    case 'connecting':
      return <span className="text-slate-500">Connecting to {what}…</span>;
    case 'open':
      return <span className="text-emerald-700 dark:text-emerald-400">● Connected: {what}</span>;
    case 'ended':
      return (
        <span className="text-slate-600 dark:text-slate-300">
          Session ended (exit code {status.exitCode}).
        </span>
      );
    case 'failed':
      return <span className="text-red-700 dark:text-red-400">Could not connect.</span>;
  }
}
