import { Button, SecondaryButton } from '../ui';

/**
 * The heading of the Networks and Volumes tabs: the title with its count (`${id}-count`), and for
 * operators granted the host the Prune… and Create buttons.
 */
export function TabHeader({
  id,
  title,
  count,
  canOperate,
  createLabel,
  onPrune,
  onCreate,
}: {
  /** `networks`: the heading is `networks-heading`, the count `networks-count`. */
  id: string;
  title: string;
  count: number | undefined;
  canOperate: boolean;
  createLabel: string;
  onPrune(): void;
  onCreate(): void;
}) {
  return (
    <div className="flex flex-wrap items-center justify-between gap-2">
      <h2 id={`${id}-heading`} className="text-lg font-semibold">
        {title}
        {count !== undefined && (
          <span data-testid={`${id}-count`} className="ml-2 text-sm font-normal text-slate-500">
            {count}
          </span>
        )}
      </h2>
      {canOperate && (
        <div className="flex gap-2">
          <SecondaryButton type="button" onClick={onPrune}>
            Prune…
          </SecondaryButton>
          <Button type="button" onClick={onCreate}>
            {createLabel}
          </Button>
        </div>
      )}
    </div>
  );
}

/** A row's Remove button; `label` names what goes, for screen readers. */
export function RowRemoveButton({ label, onClick }: { label: string; onClick(): void }) {
  return (
    <button
      type="button"
      onClick={onClick}
      aria-label={label}
      className="rounded px-2 py-1 text-sm text-red-700 hover:bg-red-50 focus-visible:outline focus-visible:outline-2 focus-visible:outline-red-500 dark:text-red-300 dark:hover:bg-red-950"
    >
      Remove
    </button>
  );
}
