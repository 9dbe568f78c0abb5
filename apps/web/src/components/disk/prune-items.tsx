import { bytesSize, type PruneItem } from '@stevedore/shared';

/** Images, containers and volumes a clean-up removes (or would), with why and their size. */
export function PruneItems({ items, empty }: { items: PruneItem[]; empty: string }) {
  if (items.length === 0) return <p className="text-sm text-slate-500">{empty}</p>;
  return (
    <ul className="divide-y divide-slate-100 rounded-md border border-slate-200 text-sm dark:divide-slate-800 dark:border-slate-800">
      {items.map((item) => (
        <li
          key={`${item.kind}:${item.id}`}
          data-testid="prune-item"
          className="flex flex-wrap items-baseline justify-between gap-x-3 px-3 py-1.5"
        >
          <span className="min-w-0 break-all">
            <span className="mr-2 rounded bg-slate-100 px-1.5 py-0.5 text-xs dark:bg-slate-800">
              {item.kind}
            </span>
            <span className="font-mono">{item.name}</span>
            <span className="ml-2 text-xs text-slate-500">{item.reason}</span>
          </span>
          <span className="font-mono tabular-nums">{bytesSize(item.bytes)}</span>
        </li>
      ))}
    </ul>
  );
}
