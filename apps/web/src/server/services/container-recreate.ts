import { randomBytes } from 'node:crypto';
import { type ContainerCreate, type ContainerInspect, StevedoreError } from '@stevedore/shared';
import type { Logger } from 'pino';
import { z } from 'zod';
import { extraNetworks, fixedAddresses } from '../../lib/container-form/from-inspect';
import type { AgentClient } from '../hub/agent-hub';

/** Runs `fn` with the host's agent client (a new one after a reconnect). */
export type AgentCaller = <T>(fn: (client: AgentClient) => Promise<T>) => Promise<T>;

export interface RecreateTiming {
  /** How long a step that must not be left half done (restoring the name) is retried for. */
  settleMs: number;
  /** Between those tries: the hub reconnects meanwhile when the agent restarted. */
  retryMs: number;
}

const DEFAULT_TIMING: RecreateTiming = { settleMs: 30_000, retryMs: 500 };

const EndpointSchema = z.object({ network: z.string(), address: z.string(), aliases: z.array(z.string()) });

/**
 * A recreate's names and what has been (or may have been: the agent can act and die before it
 * answers) done so far. Written ahead of each step, so that a web server killed halfway leaves
 * enough for the next one to finish the swap or undo it (settleInterruptedRecreate).
 */
export const RecreatePlanSchema = z.object({
  oldId: z.string().min(1),
  oldName: z.string().min(1),
  finalName: z.string().min(1),
  temporary: z.string().min(1),
  parked: z.string().min(1),
  done: z.object({
    stopped: z.boolean(),
    left: z.array(EndpointSchema),
    creating: z.boolean(),
    created: z.string(),
    parked: z.boolean(),
  }),
});
export type RecreatePlan = z.infer<typeof RecreatePlanSchema>;

/** Where the plan is kept while a recreate runs; `record` resolves once the plan is durable. */
export type RecordPlan = (plan: RecreatePlan) => Promise<void>;

/**
 * Replaces `old` with a container made from `next`, so that at every step one container carries
 * the name — the old one until the new one is ready, then the new one:
 * 1. where the old one has a fixed address (`--ip`), it stops and leaves those networks, so the
 *    new one can take the address;
 * 2. the new one is created under a temporary name and joins the networks joined later
 *    (`network connect`) again with their aliases and addresses; the old one stops (if it has
 *    not yet) and the new one starts (when the old one ran);
 * 3. the names are swapped: the old one is renamed away, the new one takes the name (the only
 *    moment no container has it: two renames in a row); a failure here gives the name back to the
 *    old one, retried while the agent restarts;
 * 4. the old one is removed, keeping its volumes, which `next` mounts again by name.
 * A failure before step 4 removes the new container and puts the old one back as it was (its
 * networks, addresses and name; started again when it ran). A failure to remove the old one at the
 * end leaves it stopped under its temporary name and is reported as a warning.
 */
export async function recreateContainer(
  call: AgentCaller,
  old: ContainerInspect,
  next: ContainerCreate,
  log: Logger,
  timing: RecreateTiming = DEFAULT_TIMING,
  record: RecordPlan = async () => {},
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
  const suffix = randomBytes(3).toString('hex');
  const plan: RecreatePlan = {
    oldId: old.Id,
    oldName,
    finalName,
    temporary: `${finalName.slice(0, 100)}-new-${suffix}`,
    parked: `${oldName.slice(0, 100)}-old-${suffix}`,
    done: { stopped: false, left: [], creating: false, created: '', parked: false },
  };
  const { temporary, parked, done } = plan;
  const fixed = fixedAddresses(old);
  const ahead = async (mark: () => void) => {
    mark();
    await record(plan);
  };
  const stopOld = async () => {
    await ahead(() => {
      done.stopped = true;
    });
    await call((client) => client.containers.stop.mutate({ container: old.Id }));
  };

  let created: { Id: string; Warnings: string[] } = { Id: '', Warnings: [] };
  try {
    // A fixed address is free for the new container only once the old one has left its network.
    if (running && fixed.length > 0) await stopOld();
    for (const endpoint of fixed) {
      await ahead(() => done.left.push(endpoint));
      await call((client) =>
        client.networks.disconnect.mutate({ network: endpoint.network, container: old.Id, force: false }),
      );
    }
    await ahead(() => {
      done.creating = true;
    });
    created = await call((client) => client.containers.create.mutate({ ...next, name: temporary }));
    await ahead(() => {
      done.created = created.Id;
    });
    for (const { network, aliases, address } of extraNetworks(old)) {
      if (network === next.HostConfig.NetworkMode) continue;
      await call((client) =>
        client.networks.connect.mutate({
          network,
          container: created.Id,
          Aliases: aliases,
          ...(address ? { IPv4Address: address } : {}),
        }),
      );
    }
    if (running) {
      if (!done.stopped) await stopOld();
      await call((client) => client.containers.start.mutate({ container: created.Id }));
    }
    // The swap: the only moment no container has the name is between these two renames.
    await ahead(() => {
      done.parked = true;
    });
    await call((client) => client.containers.rename.mutate({ container: old.Id, name: parked }));
    await call((client) => client.containers.rename.mutate({ container: created.Id, name: finalName }));
  } catch (error) {
    // The agent may have renamed the new one and died before it answered: then the swap is done.
    const swapped = done.parked && (await holdsName(call, created.Id, finalName, timing, log));
    if (!swapped) {
      await rollBack(call, plan, log, timing);
      throw error;
    }
  }
  const warnings = [...created.Warnings];
  try {
    await retried(() => call((client) => removeIfThere(client, old.Id)), `remove ${parked}`, timing, log);
  } catch (error) {
    warnings.push(
      `the new container is in place, but the old one (stopped, now named ${parked}) could not be removed: ${(error as Error).message}; remove it`,
    );
  }
  return { id: created.Id, warnings };
}

/**
 * Finishes a recreate whose web server died halfway, from the plan it left: when the new container
 * already has the name, only the old one is removed; otherwise everything is undone as a failed
 * step would have been. Safe to run twice.
 */
export async function settleInterruptedRecreate(
  call: AgentCaller,
  plan: RecreatePlan,
  log: Logger,
  timing: RecreateTiming = DEFAULT_TIMING,
): Promise<'completed' | 'rolled back'> {
  if (
    plan.done.parked &&
    plan.done.created &&
    (await holdsName(call, plan.done.created, plan.finalName, timing, log))
  ) {
    await retried(
      () => call((client) => removeIfThere(client, plan.oldId)),
      `remove ${plan.parked}`,
      timing,
      log,
    );
    return 'completed';
  }
  await rollBack(call, plan, log, timing);
  return 'rolled back';
}

/** Undoes what the plan says was (or may have been) done, each step retried while the agent restarts. */
async function rollBack(
  call: AgentCaller,
  plan: RecreatePlan,
  log: Logger,
  timing: RecreateTiming,
): Promise<void> {
  const { done, oldId, oldName, temporary } = plan;
  const steps: Array<[string, (client: AgentClient) => Promise<unknown>]> = [];
  if (done.parked) steps.push([`give ${oldName} its name back`, (c) => ensureName(c, oldId, oldName)]);
  // By its name when the agent made it but died before it said its ID.
  const made = done.created || temporary;
  if (done.creating) steps.push([`remove the new container ${temporary}`, (c) => removeIfThere(c, made)]);
  for (const endpoint of done.left) {
    steps.push([
      `reconnect ${oldName} to ${endpoint.network} at ${endpoint.address}`,
      (c) => rejoin(c, oldId, endpoint),
    ]);
  }
  if (done.stopped) steps.push([`start ${oldName} again`, (c) => startIfStopped(c, oldId)]);
  for (const [what, step] of steps) {
    try {
      await retried(() => call(step), what, timing, log);
    } catch (error) {
      log.warn({ err: error, container: oldId }, `recreate rollback: could not ${what}`);
    }
  }
}

/** Renames the container unless it has that name already (a rename the agent did before it died). */
async function ensureName(client: AgentClient, container: string, name: string): Promise<void> {
  const current = await client.containers.inspect.query({ container });
  if (current.Name.replace(/^\//, '') !== name) await client.containers.rename.mutate({ container, name });
}

/** Whether the container has that name; false when the agent cannot say. */
async function holdsName(
  call: AgentCaller,
  container: string,
  name: string,
  timing: RecreateTiming,
  log: Logger,
): Promise<boolean> {
  try {
    const current = await retried(
      () => call((c) => c.containers.inspect.query({ container })),
      'inspect',
      timing,
      log,
    );
    return current.Name.replace(/^\//, '') === name;
  } catch (error) {
    log.debug({ err: error, container }, 'recreate: cannot tell whether the rename happened; rolling back');
    return false;
  }
}

/** Connects the container to the network again with its address, unless it is still on it. */
async function rejoin(
  client: AgentClient,
  container: string,
  endpoint: { network: string; address: string; aliases: string[] },
): Promise<void> {
  const current = await client.containers.inspect.query({ container });
  if (current.NetworkSettings.Networks[endpoint.network]) return;
  await client.networks.connect.mutate({
    network: endpoint.network,
    container,
    Aliases: endpoint.aliases,
    IPv4Address: endpoint.address,
  });
}

/** Starts the container unless it runs (a start the agent did before it died). */
async function startIfStopped(client: AgentClient, container: string): Promise<void> {
  const current = await client.containers.inspect.query({ container });
  if (!current.State.Running) await client.containers.start.mutate({ container });
}

/** Removes the container, keeping its volumes; one already gone is fine. */
async function removeIfThere(client: AgentClient, container: string): Promise<void> {
  try {
    await client.containers.remove.mutate({ container, force: true, volumes: false });
  } catch (error) {
    if (!/no such container/i.test((error as Error).message)) throw error;
  }
}

/** `fn` again after `retryMs` while it fails, for up to `settleMs`; the last error when it never works. */
async function retried<T>(
  fn: () => Promise<T>,
  what: string,
  timing: RecreateTiming,
  log: Logger,
): Promise<T> {
  const until = Date.now() + timing.settleMs;
  for (;;) {
    try {
      return await fn();
    } catch (error) {
      if (Date.now() >= until) throw error;
      log.debug({ err: error }, `recreate: ${what} failed; trying again`);
      await new Promise((resolve) => setTimeout(resolve, timing.retryMs));
    }
  }
}
