'use client';

import type { DriftReport, DriftRow, Preset, PresetTarget } from '@stevedore/shared';
import { countOf } from '@stevedore/shared';
import { DataTable, rowClass } from '~/components/data-table';
import { SecondaryButton } from '~/components/ui';
import { FIELD_LABELS, limitText } from '~/lib/presets/limit-text';

const statusText: Record<DriftRow['status'], string> = {
  drifted: 'changed',
  missing: 'gone',
  unreachable: 'host unreachable',
};

/** Containers whose limits no longer match their preset, with a re-apply per preset. */
export function DriftList({
  report,
  presets,
  canOperate,
  onReapply,
}: {
  report: DriftReport;
  presets: readonly Preset[];
  canOperate: boolean;
  onReapply: (preset: Preset, target: PresetTarget) => void;
}) {
  const drifted = report.rows.filter((row) => row.status === 'drifted');
  const byPreset = new Map<string, DriftRow[]>();
  for (const row of drifted) byPreset.set(row.presetId, [...(byPreset.get(row.presetId) ?? []), row]);
  return (
    <section className="space-y-2" aria-labelledby="drift-title" data-testid="drift-list">
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <h2 id="drift-title" className="text-lg font-semibold">
          Drift
        </h2>
        <p className="text-xs text-slate-500">
          {countOf(report.checked, 'container')} checked at {new Date(report.checkedAt).toLocaleTimeString()}
        </p>
      </div>
      {report.rows.length === 0 ? (
        <p className="rounded-md border border-dashed border-slate-300 p-4 text-sm text-slate-600 dark:border-slate-700 dark:text-slate-300">
          {report.checked === 0
            ? 'No preset has been applied yet: apply one and its containers are watched here.'
            : 'Every container still has the limits of the preset it was given.'}
        </p>
      ) : (
        <>
          {canOperate &&
            [...byPreset.entries()].map(([presetId, rows]) => {
              const preset = presets.find((p) => p.id === presetId);
              if (!preset) return null;
              return (
                <div key={presetId} className="flex flex-wrap items-center gap-2 text-sm">
                  <span>
                    {countOf(rows.length, 'container')} drifted from <strong>{preset.name}</strong>
                  </span>
                  <SecondaryButton
                    type="button"
                    className="px-3 py-1"
                    onClick={() =>
                      onReapply(preset, {
                        kind: 'selection',
                        containers: rows.map((row) => ({ hostId: row.hostId, container: row.containerId })),
                      })
                    }
                  >
                    Re-apply {preset.name}
                  </SecondaryButton>
                </div>
              );
            })}
          <DataTable columns={['Preset', 'Host', 'Container', 'Now', 'Differences']}>
            {report.rows.map((row) => (
              <tr
                key={`${row.hostId}/${row.containerId}`}
                className={rowClass}
                data-testid="drift-row"
                data-container={row.containerName}
              >
                <td className="px-4 py-2">{row.presetName}</td>
                <td className="px-4 py-2 whitespace-nowrap">{row.hostName}</td>
                <td className="px-4 py-2 font-medium">{row.containerName}</td>
                <td className="px-4 py-2 whitespace-nowrap">{statusText[row.status]}</td>
                <td className="px-4 py-2 text-xs">
                  {row.error ? (
                    <span className="text-slate-500">{row.error}</span>
                  ) : (
                    <ul className="space-y-0.5">
                      {row.differences.map((d) => (
                        <li key={d.field} className="whitespace-nowrap">
                          <span className="text-slate-500 dark:text-slate-400">{FIELD_LABELS[d.field]}</span>{' '}
                          {limitText(d.field, d.actual)}
                          {d.source === 'kernel' && (
                            <span
                              className="text-amber-700 dark:text-amber-300"
                              title="The container's cgroup file holds this, not the engine's configuration: it was changed behind the engine's back."
                            >
                              {' '}
                              in the kernel
                            </span>
                          )}{' '}
                          <span className="text-slate-500">(preset: {limitText(d.field, d.expected)})</span>
                        </li>
                      ))}
                    </ul>
                  )}
                </td>
              </tr>
            ))}
          </DataTable>
        </>
      )}
    </section>
  );
}
