'use client';

/**
 * One container's whole log: follow, paging back, server-side search. Placeholder until the log
 * viewer work lands.
 */
export function LogViewer({ hostId, containerId }: { hostId: string; containerId: string }) {
  return (
    <p
      data-testid="log-viewer"
      data-host={hostId}
      data-container={containerId}
      className="text-sm text-slate-500"
    >
      The log viewer is not available yet.
    </p>
  );
}
