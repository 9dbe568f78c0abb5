import type { ContainersFirstScreen } from '~/components/containers/fleet-first-screen';
import { pageCaller } from './page-caller';

/**
 * Reads the containers list's first screen as the requesting user (their session, the procedures'
 * role checks). Null without a page caller or when a procedure refuses: the list then loads in the
 * browser as it did before, and shows the procedure's error itself.
 */
export async function readContainersFirstScreen(hostId?: string): Promise<ContainersFirstScreen | null> {
  const api = await pageCaller();
  if (!api) return null;
  try {
    const [screen, operable] = await Promise.all([
      api.containers.fleet.firstScreen(hostId ? { hostId } : {}),
      api.containers.fleet.operable(),
    ]);
    return { screen, operable };
  } catch {
    // Nothing is lost: the browser's subscription reads the same rows and reports its own error.
    return null;
  }
}
