/** The engine's own answer, as `inspect` prints it, folded away until asked for. */
export function JsonBlock({ value, summary = 'Raw JSON' }: { value: unknown; summary?: string }) {
  return (
    <details className="rounded-md border border-slate-200 dark:border-slate-800">
      <summary className="cursor-pointer px-3 py-2 text-sm font-medium">{summary}</summary>
      <pre
        data-testid="inspect-json"
        className="max-h-96 overflow-auto border-t border-slate-200 p-3 font-mono text-xs dark:border-slate-800"
      >
        {JSON.stringify(value, null, 2)}
      </pre>
    </details>
  );
}
