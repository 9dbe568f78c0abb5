import type { ContainerCreate, SessionUser } from '@stevedore/shared';
import type { Logger } from 'pino';
import {
  diffForms,
  type FieldChange,
  liveUpdate,
  needsRecreate,
  overlayChanges,
} from '../../lib/container-form/diff';
import { createToForm, inspectToCreate } from '../../lib/container-form/from-inspect';
import { formToCreate } from '../../lib/container-form/to-create';
import type { ContainerFormValues } from '../../lib/container-form/values';
import type { Db } from '../db/client';
import { getHost } from '../db/repositories/hosts';
import type { AgentClient, AgentHub } from '../hub/agent-hub';
import { audited } from './audited';
import { recreateContainer } from './container-recreate';
import type { RecreateJournal } from './recreate-journal';

export interface PublishedHostPort {
  hostIp: string;
  hostPort: number;
  protocol: string;
  container: string;
}

/** What the run form suggests and checks against: the host's images, networks and taken ports. */
export interface FormOptions {
  images: string[];
  networks: string[];
  publishedPorts: PublishedHostPort[];
}

/** What the audit keeps of a form: no env values (they hold secrets), everything else by name. */
const auditSummary = (create: ContainerCreate) => ({
  image: create.Config.Image,
  name: create.name ?? null,
  envKeys: create.Config.Env.map((entry) => entry.split('=', 1)[0]),
  memory: create.HostConfig.Memory,
  nanoCpus: create.HostConfig.NanoCpus,
  ports: Object.keys(create.HostConfig.PortBindings),
  binds: create.HostConfig.Binds,
  network: create.HostConfig.NetworkMode,
});

const mustCreate = (values: ContainerFormValues): ContainerCreate => {
  const { create, issues } = formToCreate(values);
  if (!create)
    throw new Error(`the form is not valid: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`);
  return create;
};

/** The run / duplicate / edit form's server side: every action audited with its parameters. */
export class ContainerFormService {
  constructor(
    private readonly db: Db,
    private readonly hub: AgentHub,
    private readonly log: Logger,
    private readonly recreates: RecreateJournal,
  ) {}

  async options(hostId: string): Promise<FormOptions> {
    await getHost(this.db, hostId);
    return this.hub.call(hostId, async (client) => {
      const [images, networks, containers] = await Promise.all([
        client.images.list.query({}),
        client.networks.list.query({}),
        client.containers.list.query({ all: false }),
      ]);
      return {
        images: [...new Set(images.flatMap((image) => image.RepoTags))].sort(),
        networks: networks.map((network) => network.Name).sort(),
        publishedPorts: containers.flatMap((c) =>
          c.Ports.filter((p) => p.PublicPort !== undefined).map((p) => ({
            hostIp: p.IP ?? '',
            hostPort: p.PublicPort as number,
            protocol: p.Type,
            container: (c.Names[0] ?? c.Id).replace(/^\//, ''),
          })),
        ),
      };
    });
  }

  /** The form filled from a container: `duplicate` (no name) or `edit` (as it is). */
  async template(hostId: string, container: string, purpose: 'duplicate' | 'edit') {
    await getHost(this.db, hostId);
    const inspect = await this.hub.call(hostId, (client) => client.containers.inspect.query({ container }));
    const create = inspectToCreate(inspect, purpose === 'edit' ? 'recreate' : 'duplicate');
    return {
      id: inspect.Id,
      name: inspect.Name.replace(/^\//, ''),
      state: inspect.State.Status,
      values: createToForm(create),
      /** Every setting, for the full equivalent command (the form shows only some). */
      base: create,
    };
  }

  /** Create (and start) a container; with `from`, everything of that container the form does not show is kept. */
  async create(
    actor: SessionUser,
    input: { hostId: string; values: ContainerFormValues; from?: string | undefined; start: boolean },
  ): Promise<{ id: string; warnings: string[]; started: boolean }> {
    await getHost(this.db, input.hostId);
    const edited = mustCreate(input.values);
    return this.hub.call(input.hostId, async (client) => {
      const create = input.from ? await this.duplicateOf(client, input.from, input.values, edited) : edited;
      return audited(
        this.db,
        actor,
        {
          action: input.from ? 'container.duplicate' : 'container.create',
          hostId: input.hostId,
          target: create.name ?? create.Config.Image,
          params: {
            ...auditSummary(create),
            start: input.start,
            ...(input.from ? { from: input.from } : {}),
          },
        },
        async () => {
          const created = await client.containers.create.mutate(create);
          if (input.start) await client.containers.start.mutate({ container: created.Id });
          return { id: created.Id, warnings: created.Warnings, started: input.start };
        },
      );
    });
  }

  private async duplicateOf(
    client: AgentClient,
    from: string,
    values: ContainerFormValues,
    edited: ContainerCreate,
  ) {
    const base = inspectToCreate(await client.containers.inspect.query({ container: from }), 'duplicate');
    const changes = diffForms(createToForm(base), values);
    return overlayChanges(
      base,
      edited,
      changes.map((change) => change.field),
    );
  }

  /**
   * Applies an edit: live changes through `update` and `rename` when that is all there is;
   * otherwise a safe recreate from the container's full settings with the changed fields on top.
   */
  async applyEdit(
    actor: SessionUser,
    input: { hostId: string; container: string; values: ContainerFormValues },
  ): Promise<{ id: string; recreated: boolean; changes: FieldChange[]; warnings: string[] }> {
    await getHost(this.db, input.hostId);
    const edited = mustCreate(input.values);
    return this.hub.call(input.hostId, async (client) => {
      const inspect = await client.containers.inspect.query({ container: input.container });
      const base = inspectToCreate(inspect, 'recreate');
      const changes = diffForms(createToForm(base), input.values);
      const recreate = needsRecreate(changes);
      return audited(
        this.db,
        actor,
        {
          action: recreate ? 'container.recreate' : 'container.update',
          hostId: input.hostId,
          target: inspect.Name.replace(/^\//, ''),
          params: {
            container: inspect.Id,
            changed: changes.map((c) => c.field),
            ...(recreate ? {} : { update: liveUpdate(edited, changes) }),
          },
        },
        async () => {
          if (changes.length === 0) return { id: inspect.Id, recreated: false, changes, warnings: [] };
          if (recreate) {
            const next = overlayChanges(
              base,
              edited,
              changes.map((c) => c.field),
            );
            // Through the hub for each step: a step retried after the agent restarted gets the new connection.
            const call = <T>(fn: (c: AgentClient) => Promise<T>) => this.hub.call(input.hostId, fn);
            const owner = { hostId: input.hostId, userId: actor.id, username: actor.username };
            const result = await this.recreates.run(owner, (record) =>
              recreateContainer(call, inspect, next, this.log, undefined, record),
            );
            return { id: result.id, recreated: true, changes, warnings: result.warnings };
          }
          const update = liveUpdate(edited, changes);
          const warnings = update
            ? (await client.containers.update.mutate({ container: inspect.Id, resources: update })).Warnings
            : [];
          if (edited.name && edited.name !== inspect.Name.replace(/^\//, '')) {
            await client.containers.rename.mutate({ container: inspect.Id, name: edited.name });
          }
          return { id: inspect.Id, recreated: false, changes, warnings };
        },
      );
    });
  }
}
