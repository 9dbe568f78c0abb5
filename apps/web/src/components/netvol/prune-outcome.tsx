import { bytesSize, countOf, type PruneOutcome } from '@stevedore/shared';
import { ErrorNote, SuccessNote } from '../ui';

/** What a prune removed, what it kept and why; `names` maps the IDs asked for to names. */
export function PruneOutcomeNote({
  outcome,
  noun,
  names,
  showSpace,
}: {
  outcome: PruneOutcome;
  noun: string;
  names?: ReadonlyMap<string, string>;
  showSpace: boolean;
}) {
  const name = (ref: string) => names?.get(ref) ?? ref;
  const count = outcome.removed.length;
  return (
    <div className="space-y-2" data-testid="prune-outcome">
      <SuccessNote>
        Removed {countOf(count, noun)}
        {showSpace ? `, freed ${bytesSize(outcome.spaceReclaimed)}` : ''}.
      </SuccessNote>
      {outcome.kept.length > 0 && (
        <ErrorNote>
          Kept {outcome.kept.length}:{' '}
          {outcome.kept.map((kept) => `${name(kept.name)} (${kept.reason})`).join('; ')}
        </ErrorNote>
      )}
    </div>
  );
}
