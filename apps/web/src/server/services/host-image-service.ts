import {
  AsyncQueue,
  type FleetImages,
  type HostImageInput,
  type HostImageRow,
  type HostRegistryLoginInput,
  type ImageHistoryEntry,
  type ImageInspect,
  type ImagePruneInput,
  type ImagePrunePreview,
  type ImagePullEvent,
  type ImagePullInput,
  type ImagePushEvent,
  type ImagePushInput,
  type ImageRemoveInput,
  type ImageTagInput,
  isStevedoreError,
  type PruneReport,
  type PullEvent,
  type PullProgress,
  RegistryLoginsSchema,
  type SessionUser,
  StevedoreError,
} from '@stevedore/shared';
import type { Logger } from 'pino';
import type { Db } from '../db/client';
import { getHost } from '../db/repositories/hosts';
import type { AgentHub } from '../hub/agent-hub';
import { agentCall, fromAgentError } from './agent-errors';
import { audited } from './audited';
import { mergeFleetImages } from './fleet-image-rows';
import type { HostService } from './host-service';
import { hostImageRows, prunePreview } from './image-rows';
import { PullProgressThrottle } from './pull-progress-throttle';

type AgentClient = Parameters<Parameters<AgentHub['call']>[1]>[0];

/**
 * One host's images through the hub: the list with the containers using each image, pulls relayed
 * with thinned per-layer progress, and the actions (tag, remove, prune, login), each audited.
 */
export class HostImageService {
  constructor(
    private readonly db: Db,
    private readonly hub: AgentHub,
    private readonly hosts: HostService,
    private readonly log: Logger,
  ) {}

  /** Every host's images merged by ID; a host that cannot answer is named with its error. */
  async fleet(): Promise<FleetImages> {
    const hosts = await this.hosts.list();
    const lists = await Promise.all(
      hosts.map(async (host) => {
        if (host.status.state === 'offline' || host.status.state === 'connecting') {
          return { hostId: host.id, hostName: host.name, images: [], error: `host is ${host.status.state}` };
        }
        try {
          return { hostId: host.id, hostName: host.name, images: await this.list(host.id), error: null };
        } catch (error) {
          return {
            hostId: host.id,
            hostName: host.name,
            images: [],
            error: error instanceof Error ? error.message : String(error),
          };
        }
      }),
    );
    return {
      rows: mergeFleetImages(lists),
      hosts: lists.map(({ hostId, hostName, error }) => ({ hostId, hostName, error })),
    };
  }

  async list(hostId: string): Promise<HostImageRow[]> {
    await getHost(this.db, hostId);
    const [images, containers] = await agentCall({ hostId }, () =>
      this.hub.call(hostId, (client) =>
        Promise.all([client.images.list.query({}), client.containers.list.query({ all: true })]),
      ),
    );
    return hostImageRows(images, containers);
  }

  async history(input: HostImageInput): Promise<ImageHistoryEntry[]> {
    await getHost(this.db, input.hostId);
    return agentCall({ hostId: input.hostId, image: input.image }, () =>
      this.hub.call(input.hostId, (client) => client.images.history.query({ image: input.image })),
    );
  }

  async inspect(input: HostImageInput): Promise<ImageInspect> {
    await getHost(this.db, input.hostId);
    return agentCall({ hostId: input.hostId, image: input.image }, () =>
      this.hub.call(input.hostId, (client) => client.images.inspect.query({ image: input.image })),
    );
  }

  async prunePreview(input: ImagePruneInput): Promise<ImagePrunePreview> {
    return prunePreview(await this.list(input.hostId), input.all);
  }

  prune(actor: SessionUser, input: ImagePruneInput): Promise<PruneReport> {
    return this.act(actor, input.hostId, 'image.prune', null, { all: input.all }, (client) =>
      client.images.prune.mutate({ all: input.all }),
    );
  }

  /**
   * `docker rmi`. The engine refuses an image a container uses unless forced, naming the container
   * by a short ID; the refusal says which container by name too.
   */
  async remove(
    actor: SessionUser,
    input: ImageRemoveInput,
  ): Promise<{ untagged: string[]; deleted: string[] }> {
    return this.act(
      actor,
      input.hostId,
      'image.remove',
      input.image,
      { force: input.force },
      async (client) => {
        try {
          return await client.images.remove.mutate({ image: input.image, force: input.force });
        } catch (error) {
          const refusal = fromAgentError(error, { hostId: input.hostId, image: input.image });
          const shortId =
            isStevedoreError(refusal) && refusal.code === 'CONFLICT'
              ? /container ([0-9a-f]{12})/.exec(refusal.message)?.[1]
              : undefined;
          if (!shortId || !isStevedoreError(refusal)) throw refusal;
          const containers = await client.containers.list.query({ all: true });
          const user = containers.find((container) => container.Id.startsWith(shortId));
          const name = user?.Names[0]?.replace(/^\//, '') ?? shortId;
          throw new StevedoreError('CONFLICT', `in use by ${name}: ${refusal.message}`, refusal.context);
        }
      },
    );
  }

  async tag(actor: SessionUser, input: ImageTagInput): Promise<void> {
    await this.act(actor, input.hostId, 'image.tag', input.source, { target: input.target }, (client) =>
      client.images.tag.mutate({ source: input.source, target: input.target }),
    );
  }

  /** `docker login` on the host: the engine keeps the credentials; the password is never recorded. */
  async login(actor: SessionUser, input: HostRegistryLoginInput): Promise<{ serverAddress: string }> {
    await this.act(
      actor,
      input.hostId,
      'image.login',
      input.serverAddress,
      { serverAddress: input.serverAddress, username: input.username },
      (client) =>
        client.images.login.mutate({
          serverAddress: input.serverAddress,
          username: input.username,
          password: input.password,
        }),
    );
    return { serverAddress: input.serverAddress };
  }

  /** The registries the host's engine keeps a login for, by name (it never sends the credentials). */
  async logins(hostId: string): Promise<string[]> {
    await getHost(this.db, hostId);
    const names = await agentCall({ hostId }, () =>
      this.hub.call(hostId, (client) => client.images.logins.query()),
    );
    return RegistryLoginsSchema.parse(names);
  }

  async logout(
    actor: SessionUser,
    input: { hostId: string; serverAddress: string },
  ): Promise<{ removed: boolean }> {
    return this.act(
      actor,
      input.hostId,
      'image.logout',
      input.serverAddress,
      { serverAddress: input.serverAddress },
      (client) => client.images.logout.mutate({ serverAddress: input.serverAddress }),
    );
  }

  /**
   * A pull on the host, relayed: per-layer progress (at most ~8 updates a second per layer), then
   * the image. Leaving (the browser closes the dialog or cancels) ends the agent's subscription,
   * which stops the pull there. The pull is audited once it ends, however it ends.
   */
  pull(actor: SessionUser, input: ImagePullInput, signal: AbortSignal | undefined) {
    return this.relayTransfer<PullProgress, ImagePullEvent, PullEvent>(actor, input, signal, {
      verb: 'pull',
      progressEvent: (progress) => ({ type: 'progress', progress, at: Date.now() }),
      read: (event) =>
        event.type === 'progress'
          ? { progress: event.progress }
          : {
              done: {
                type: 'done',
                image: { id: event.image.Id, repoTags: event.image.RepoTags, size: event.image.Size },
              },
            },
      subscribe: (client, handlers) => client.images.pull.subscribe({ reference: input.reference }, handlers),
    });
  }

  /** `docker push` from the host, relayed like a pull: per-blob progress, then the digest; audited. */
  push(actor: SessionUser, input: ImagePushInput, signal: AbortSignal | undefined) {
    type Progress = Extract<ImagePushEvent, { type: 'progress' }>;
    return this.relayTransfer<Progress, ImagePushEvent, ImagePushEvent>(actor, input, signal, {
      verb: 'push',
      progressEvent: (progress) => progress,
      read: (event) => (event.type === 'progress' ? { progress: event } : { done: event }),
      subscribe: (client, handlers) => client.images.push.subscribe({ reference: input.reference }, handlers),
    });
  }

  /**
   * A pull or push the agent streams, relayed to the browser: progress thinned per layer, then the
   * result. Leaving ends the agent's subscription (which stops the transfer there); the transfer is
   * audited once it ends, however it ends.
   */
  private async *relayTransfer<TProgress extends { id: string; status: string }, TEvent, TAgentEvent>(
    actor: SessionUser,
    input: { hostId: string; reference: string },
    signal: AbortSignal | undefined,
    transfer: {
      verb: 'pull' | 'push';
      progressEvent(progress: TProgress): TEvent;
      /** The agent's event: progress to thin, or the result that ends the transfer. */
      read(event: TAgentEvent): { progress: TProgress } | { done: TEvent };
      subscribe(
        client: AgentClient,
        handlers: { onData(event: TAgentEvent): void; onError(error: unknown): void; onComplete(): void },
      ): { unsubscribe(): void };
    },
  ): AsyncGenerator<TEvent, void, unknown> {
    const { verb } = transfer;
    await getHost(this.db, input.hostId);
    const relay = new AsyncQueue<TEvent>();
    const throttle = new PullProgressThrottle<TProgress>((progress) =>
      relay.push(transfer.progressEvent(progress)),
    );
    let subscription: { unsubscribe(): void } | null = null;
    const context = { hostId: input.hostId, reference: input.reference };
    const finished = new Promise<TEvent>((resolve, reject) => {
      const fail = (error: unknown) => {
        throttle.close();
        reject(fromAgentError(error, context));
      };
      const cancelled = () => fail(new Error(`${verb} of ${input.reference} cancelled by the user`));
      if (signal?.aborted) return cancelled();
      signal?.addEventListener('abort', cancelled, { once: true });
      this.hub
        .call(input.hostId, async (client) => {
          subscription = transfer.subscribe(client, {
            onData: (event) => {
              const read = transfer.read(event);
              if ('progress' in read) return throttle.accept(read.progress);
              throttle.flush();
              throttle.close();
              resolve(read.done);
            },
            onError: fail,
            onComplete: () =>
              fail(
                new StevedoreError('UNAVAILABLE', `the agent ended the ${verb} without a result`, context),
              ),
          });
          if (signal?.aborted) subscription.unsubscribe();
        })
        .catch(fail);
    });
    const outcome = audited(
      this.db,
      actor,
      {
        action: `image.${verb}`,
        hostId: input.hostId,
        target: input.reference,
        params: { reference: input.reference },
      },
      () => finished,
    );
    outcome.then(
      (done) => {
        relay.push(done);
        relay.close();
      },
      (error: unknown) => relay.close(error),
    );
    try {
      yield* relay.drain(signal);
    } finally {
      // Ending the agent's subscription aborts its transfer (when it has not finished already).
      (subscription as { unsubscribe(): void } | null)?.unsubscribe();
      throttle.close();
      // The outcome is in the audit log; a caller that left does not wait for it.
      outcome.catch((error: unknown) => this.log.debug({ err: error, ...context }, `${verb} ended early`));
    }
  }

  private async act<T>(
    actor: SessionUser,
    hostId: string,
    action: string,
    target: string | null,
    params: Record<string, unknown>,
    call: (client: AgentClient) => Promise<T>,
  ): Promise<T> {
    await getHost(this.db, hostId);
    return audited(this.db, actor, { action, hostId, target, params }, () =>
      agentCall({ hostId, ...(target ? { target } : {}) }, () => this.hub.call(hostId, call)),
    );
  }
}
