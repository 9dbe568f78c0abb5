/** A small bar with its figure, for CPU / memory / disk use; fixed width so live updates never shift the layout. */
export function UsageMeter({ percent, label }: { percent: number; label: string }) {
  const clamped = Math.max(0, Math.min(100, percent));
  const tone = clamped >= 90 ? 'bg-red-500' : clamped >= 70 ? 'bg-amber-500' : 'bg-sky-500';
  return (
    <div className="w-32" title={label}>
      <div className="h-1.5 w-full rounded-full bg-slate-200 dark:bg-slate-800">
        <div className={`h-1.5 rounded-full ${tone}`} style={{ width: `${clamped}%` }} />
      </div>
      <div className="mt-0.5 font-mono text-[11px] tabular-nums text-slate-500">{label}</div>
    </div>
  );
}
