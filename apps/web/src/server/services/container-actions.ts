import type { ContainerAction } from '@stevedore/shared';
import type { AgentClient } from '../hub/agent-hub';

const actions: Record<
  ContainerAction,
  (client: AgentClient, container: string, force: boolean) => Promise<unknown>
> = {
  start: (client, container) => client.containers.start.mutate({ container }),
  stop: (client, container) => client.containers.stop.mutate({ container }),
  restart: (client, container) => client.containers.restart.mutate({ container }),
  kill: (client, container) => client.containers.kill.mutate({ container }),
  pause: (client, container) => client.containers.pause.mutate({ container }),
  unpause: (client, container) => client.containers.unpause.mutate({ container }),
  remove: (client, container, force) => client.containers.remove.mutate({ container, force }),
};

/**
 * One lifecycle action on a container through its host's agent. `force` is for remove only: it
 * removes a running container too (killed first); the other actions ignore it.
 */
export function runContainerAction(
  client: AgentClient,
  action: ContainerAction,
  container: string,
  { force }: { force: boolean },
): Promise<unknown> {
  return actions[action](client, container, force);
}
