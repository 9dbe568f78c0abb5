'use client';

/**
 * CPU, memory (with its limit), network, block I/O and PIDs of one container over a chosen range,
 * from the agent's usage history. Placeholder until the usage-history work lands.
 */
export function UsageCharts({ hostId, containerId }: { hostId: string; containerId: string }) {
  return (
    <p
      data-testid="usage-charts"
      data-host={hostId}
      data-container={containerId}
      className="text-sm text-slate-500"
    >
      Usage charts are not available yet.
    </p>
  );
}
