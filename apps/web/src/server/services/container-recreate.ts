import { randomBytes } from 'node:crypto';
import { type ContainerCreate, type ContainerInspect, StevedoreError } from '@stevedore/shared';
import type { Logger } from 'pino';
import { extraNetworks } from '../../lib/container-form/from-inspect';
import type { AgentClient } from '../hub/agent-hub';

/**
 * Replaces `old` with a container made from `next`, safely: the new one is created first under a
 * temporary name; only once it runs (when the old one ran) is the old one removed — keeping its
 * volumes, which `next` mounts again by name — and the new one takes the name. Networks joined
 * later (`network connect`) are joined again, with their aliases. A failure before
 * that removes the new container and starts the old one again, so the old one is as it was.
 */
export async function recreateContainer(
  client: AgentClient,
  old: ContainerInspect,
  next: ContainerCreate,
  log: Logger,
): Promise<{ id: string; warnings: string[] }> {
  const oldName = old.Name.replace(/^\//, '');
  const finalName = next.name ?? oldName;
  const running = old.State.Running || old.State.Paused || old.State.Restarting;
  if (running && old.HostConfig.AutoRemove) {
    throw new StevedoreError(
      'FAILED_PRECONDITION',
      `container ${oldName} was started with --rm: stopping it removes it, so it cannot be replaced safely; remove it and run it again`,
      { container: old.Id },
    );
  }
  const temporary = `${finalName.slice(0, 100)}-new-${randomBytes(3).toString('hex')}`;
  const created = await client.containers.create.mutate({ ...next, name: temporary });
  let oldStopped = false;
  try {
    for (const { network, aliases } of extraNetworks(old)) {
      if (network === next.HostConfig.NetworkMode) continue;
      await client.networks.connect.mutate({ network, container: created.Id, Aliases: aliases });
    }
    if (running) {
      await client.containers.stop.mutate({ container: old.Id });
      oldStopped = true;
      await client.containers.start.mutate({ container: created.Id });
    }
  } catch (error) {
    await rollBack(client, created.Id, oldStopped ? old.Id : null, log);
    throw error;
  }
  try {
    await client.containers.remove.mutate({ container: old.Id, force: true, volumes: false });
    await client.containers.rename.mutate({ container: created.Id, name: finalName });
  } catch (error) {
    // Past the point of rolling back: say exactly where things stand.
    throw new StevedoreError(
      'INTERNAL',
      `the replacement ${temporary} (${created.Id.slice(0, 12)}) is in place, but finishing failed: ${(error as Error).message}; remove the old container ${oldName} if it is still there and rename ${temporary} to ${finalName}`,
      { container: old.Id, replacement: created.Id },
    );
  }
  return { id: created.Id, warnings: created.Warnings };
}

async function rollBack(client: AgentClient, newId: string, restartId: string | null, log: Logger) {
  try {
    await client.containers.remove.mutate({ container: newId, force: true, volumes: false });
  } catch (error) {
    log.warn({ err: error, container: newId }, 'recreate rollback: could not remove the new container');
  }
  if (restartId === null) return;
  try {
    await client.containers.start.mutate({ container: restartId });
  } catch (error) {
    log.warn(
      { err: error, container: restartId },
      'recreate rollback: could not start the old container again',
    );
  }
}
