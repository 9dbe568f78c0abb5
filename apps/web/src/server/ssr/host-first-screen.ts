import type { HostSummary, SystemInfo } from '@stevedore/shared';
import { pageCaller } from './page-caller';

/**
 * How long a host page's render waits for the agent's system info. A connected agent answers in a
 * few ms; past this the page is sent without it and the browser asks (a slow or unreachable agent
 * must not hold the whole page back).
 */
const HOST_INFO_WAIT_MS = 300;

/** The host's row as the requesting user may read it (the header's name and state); null if refused. */
export async function readHost(hostId: string): Promise<HostSummary | null> {
  const api = await pageCaller();
  if (!api) return null;
  return api.hosts.get({ hostId }).catch(() => null);
}

/** The agent's `system info` for the host page's first screen; null when refused, failed or slow. */
export async function readHostInfo(hostId: string): Promise<SystemInfo | null> {
  const api = await pageCaller();
  if (!api) return null;
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), HOST_INFO_WAIT_MS);
  });
  try {
    // The browser asks again after hydration and shows the procedure's own error if it fails.
    return await Promise.race([api.hosts.info({ hostId }).catch(() => null), late]);
  } finally {
    clearTimeout(timer);
  }
}
