import { join } from 'node:path';
import type { Readable } from 'node:stream';
import {
  AsyncQueue,
  familiarImageName,
  type ImageHistoryEntry,
  type ImageInspect,
  type ImageSummary,
  type PruneReport,
  type PullEvent,
  type PullProgress,
  type PullRecord,
  PullRecordSchema,
  type PushEvent,
  parseImageReference,
  type SearchResult,
  StevedoreError,
} from '@stevedore/shared';
import { z } from 'zod';
import type { AgentConfig } from '../config/agent-config.js';
import type { AgentPaths } from '../config/paths.js';
import type { EventBus } from '../events/event-bus.js';
import type { LayerReferences } from '../storage/layer-references.js';
import type { Overlay2Store } from '../storage/overlay2/layer-store.js';
import type { Logger } from '../util/logger.js';
import { type CommitDeps, type CommitOptions, commitImage } from './commit.js';
import { applyChanges } from './commit-changes.js';
import { ContentStore } from './content/content-store.js';
import { canonicalTag, tryCanonicalName, tryCanonicalTag } from './image-names.js';
import {
  type ImageForContainer,
  imageHistory,
  imageUsage,
  inspectImage,
  listImages,
  requireImage,
  requireImageReference,
  resolveForContainer,
  summarize,
} from './image-queries.js';
import { ImageStore } from './image-store.js';
import { collectLeftoversLater, type LeftoverDeps, leftoverUsage } from './leftovers.js';
import { type LoadedImage, loadArchive } from './load-archive.js';
import { pruneImages } from './prune.js';
import { pullImage } from './pull.js';
import { pushImage } from './push.js';
import { RegistryClient } from './registry/client.js';
import { CredentialStore } from './registry/credentials.js';
import { PullLog } from './registry/pull-log.js';
import { searchImages } from './registry/search.js';
import { JsonStateFile } from './registry/state-file.js';
import { type RemoveImageDeps, type RemoveResult, removeImage } from './remove-image.js';
import { type SaveItem, saveArchive } from './save-archive.js';

type ImageStores = LeftoverDeps & RemoveImageDeps & CommitDeps;

/** Recent pulls kept (in memory and in the data-root) for `registries.recentPulls`. */
const RECENT_PULLS_KEPT = 100;

export interface ImageServiceOptions {
  config: AgentConfig;
  paths: AgentPaths;
  /** The image layers, a store of its own that the runtime mounts from too. */
  layers: Overlay2Store;
  /** What stands on layers (containers, pins, leases): such layers are never removed. */
  references: LayerReferences;
  /** Also drops other copies of removed layers (the `--userns-remap` store). */
  layersRemoved?: (chainIds: string[]) => Promise<void>;
  events?: EventBus | null;
  log?: Logger | null;
}

/**
 * Images of this agent: pull, push, load, save, commit, tag, remove, prune and the queries. Each
 * job lives in a module of its own; this service holds the stores, the leases and the events.
 */
export class ImageService {
  private constructor(
    /** The stores and references every job works on. */
    private readonly stores: ImageStores,
    private readonly registry: RegistryClient,
    private readonly credentials: CredentialStore,
    private readonly events: EventBus | null,
    /** The last pulls and which endpoint (mirror or registry) served each, kept across restarts. */
    private readonly pulls: PullLog,
  ) {}

  /** Docker's image events: pull, tag, untag, delete (Actor.ID is the name, or the ID for delete). */
  private publish(action: string, actor: string, attributes: Record<string, string> = {}): void {
    this.events?.publish('image', action, actor, { name: actor, ...attributes });
  }

  static async create(options: ImageServiceOptions): Promise<ImageService> {
    const { config, paths, log } = options;
    const credentials = new CredentialStore(join(paths.auth, 'registries.json'));
    // Read at every use, so config.update changes mirrors and insecure registries live.
    const endpointConfig = () => ({
      registryMirrors: config.registryMirrors,
      insecureRegistries: config.insecureRegistries,
      certsDir: config.certsDir,
    });
    const registry = new RegistryClient(endpointConfig, (domain) => credentials.get(domain));
    const content = new ContentStore(join(paths.dataRoot, 'content'), (digest, error) =>
      log?.warn({ err: error, digest }, 'a verified blob could not be made durable and was dropped'),
    );
    const images = new ImageStore(paths.images);
    await Promise.all([content.init(), images.init()]);
    const stores: ImageStores = {
      content,
      layers: options.layers,
      images,
      references: options.references,
      layersRemoved: options.layersRemoved ?? (async () => {}),
      spoolDir: join(paths.dataRoot, 'tmp'),
    };
    const pulls = new PullLog(
      RECENT_PULLS_KEPT,
      new JsonStateFile(
        join(paths.dataRoot, 'registries', 'recent-pulls.json'),
        z.array(PullRecordSchema),
        log,
      ),
    );
    await pulls.load();
    return new ImageService(stores, registry, credentials, options.events ?? null, pulls);
  }

  /** `system df`: what unfinished pulls, loads and commits left. */
  leftoverUsage(): Promise<{ count: number; size: number }> {
    return leftoverUsage(this.stores);
  }

  /** At start-up: leftovers of earlier pulls are removed after `graceMs` if still unused. */
  collectLeftoversLater(graceMs: number, log: Logger): Promise<void> {
    return collectLeftoversLater(this.stores, graceMs, log);
  }

  /**
   * The image a new container is made from (its ID, top layer and runtime config), claimed for
   * `containerId` under the image's lock so a concurrent `rmi` or prune either ran first (and the
   * image is gone: "No such image") or sees the container as a user and keeps the layers.
   */
  async claimForContainer(
    reference: string,
    containerId: string,
  ): Promise<{ image: ImageForContainer; release(): void }> {
    const { images, references } = this.stores;
    const resolved = await resolveForContainer(images, reference);
    return references.withImage(resolved.id, async () => {
      // Resolved again under the lock: a removal that held it may have deleted the image meanwhile.
      const image = await resolveForContainer(images, resolved.id);
      return { image, release: references.claimForCreate(image.id, containerId) };
    });
  }

  /** `docker commit`: a new image from a parent image plus one layer, under a lease. */
  async commit(options: CommitOptions): Promise<string> {
    const id = await this.stores.references.lease(() => commitImage(this.stores, options));
    if (options.tag) this.publish('tag', canonicalTag(options.tag), { imageID: id });
    return id;
  }

  /** `docker images`, newest first; `filters` as `docker images --filter` (see image-filters.ts). */
  list(filters: readonly string[] = []): Promise<ImageSummary[]> {
    return listImages(this.stores.images, filters);
  }

  /**
   * Progress events while pulling, then the image. When `signal` aborts (the caller went away or
   * cancelled) the pull stops: downloads are hung up and half-made layers are dropped.
   */
  async *pull(reference: string, signal?: AbortSignal): AsyncGenerator<PullEvent> {
    const queue = new AsyncQueue<PullEvent>();
    const trace = this.pulls.begin(tryCanonicalName(reference) ?? reference, registryOf(reference));
    const registry = this.registry;
    const deps = {
      registry: {
        getManifest: async (...args: Parameters<RegistryClient['getManifest']>) => {
          const fetched = await registry.getManifest(...args);
          trace.served(fetched.endpoint);
          return fetched;
        },
        openBlob: async (...args: Parameters<RegistryClient['openBlob']>) => {
          const blob = await registry.openBlob(...args);
          trace.served(blob.endpoint);
          return blob;
        },
      },
      content: this.stores.content,
      layers: this.stores.layers,
      images: this.stores.images,
      pin: (chainIds: readonly string[]) => this.stores.references.pin(chainIds),
      ...(signal ? { signal } : {}),
    };
    this.stores.references
      .lease(() =>
        pullImage(deps, reference, (progress: PullProgress) => queue.push({ type: 'progress', progress })),
      )
      .then(async (image) => {
        // On disk before the pull reports done, so a crash right after keeps the record.
        await trace.finish(null);
        this.publish('pull', tryCanonicalName(reference) ?? reference);
        queue.push({ type: 'done', image: summarize(image) });
        queue.close();
      })
      .catch(async (error: unknown) => {
        await trace.finish(error);
        queue.close(error);
      });
    yield* queue.drain(signal);
  }

  /** `registries.recentPulls`: newest first. */
  recentPulls(limit: number): PullRecord[] {
    return this.pulls.recent(limit);
  }

  /** `docker push NAME[:TAG]`: progress per blob, then the pushed manifest's digest. */
  async *push(name: string): AsyncGenerator<PushEvent> {
    const tag = canonicalTag(name);
    const image = await this.stores.images.resolve(tag, tag);
    if (!image?.repoTags.includes(tag)) {
      // Docker's words name the repository, not the tag it looked for.
      const repository = familiarImageName({ ...parseImageReference(tag), tag: null, digest: null });
      throw new StevedoreError('NOT_FOUND', `An image does not exist locally with the tag: ${repository}`, {
        image: name,
      });
    }
    const queue = new AsyncQueue<PushEvent>();
    pushImage(
      { registry: this.registry, content: this.stores.content, images: this.stores.images },
      image,
      tag,
      (event) => queue.push(event),
    )
      .then(({ digest, size }) => {
        this.publish('push', tag);
        queue.push({ type: 'done', tag, digest, size });
        queue.close();
      })
      .catch((error: unknown) => queue.close(error));
    yield* queue.drain();
  }

  /** `docker search [REGISTRY/]TERM` (see registry/search.ts). */
  search(query: string, limit: number): Promise<SearchResult[]> {
    return searchImages(this.registry, query, limit);
  }

  /** `docker login`: the credentials are checked against the registry before they are kept. */
  async login(serverAddress: string, username: string, password: string): Promise<{ Status: string }> {
    const domain = serverAddress === 'index.docker.io' ? 'docker.io' : serverAddress;
    await this.registry.checkLogin(domain, { username, password });
    await this.credentials.set(domain, { username, password });
    return { Status: 'Login Succeeded' };
  }

  async logout(serverAddress: string): Promise<{ removed: boolean }> {
    // Kept under docker.io by login, whichever of Docker Hub's names it was given.
    const domain = serverAddress === 'index.docker.io' ? 'docker.io' : serverAddress;
    return { removed: await this.credentials.remove(domain) };
  }

  /** The registries this engine has a login for (names only: the credentials never leave). */
  logins(): Promise<string[]> {
    return this.credentials.domains();
  }

  /** `docker tag`: another name for an existing image. */
  async tag(source: string, target: string): Promise<void> {
    const image = await requireImageReference(this.stores.images, source);
    const tag = canonicalTag(target);
    await this.stores.images.addTag(image.id, tag);
    this.publish('tag', tag, { imageID: image.id });
  }

  /** `docker rmi` (see remove-image.ts), with Docker's untag and delete events. */
  async remove(nameOrId: string, force = false): Promise<RemoveResult> {
    const result = await removeImage(this.stores, nameOrId, force);
    for (const name of result.untagged) this.publish('untag', name);
    const imageId = result.deleted[0];
    if (imageId) this.publish('delete', imageId);
    return result;
  }

  async inspect(nameOrId: string): Promise<ImageInspect> {
    const layers = this.stores.layers;
    return inspectImage(await requireImage(this.stores.images, nameOrId), (chainId) =>
      layers.diffDir(chainId),
    );
  }

  /** `docker history`: the config's history, newest first, with each layer's size on disk. */
  async history(nameOrId: string): Promise<ImageHistoryEntry[]> {
    return imageHistory(await requireImageReference(this.stores.images, nameOrId), this.stores.layers);
  }

  /** `docker image prune` (see prune.ts). */
  prune(all: boolean): Promise<PruneReport> {
    return pruneImages(this.stores, all, (imageId) => this.remove(imageId, true));
  }

  /**
   * `docker save`: the named images in one archive; a name that is a tag is recorded with it
   * (several names of one image share one entry), an image named by ID gets no tag.
   */
  async save(names: readonly string[]): Promise<Readable> {
    const items = new Map<string, SaveItem>();
    for (const name of names) {
      const image = await requireImage(this.stores.images, name);
      const item = items.get(image.id) ?? { image, tags: [] };
      const tag = tryCanonicalTag(name);
      if (tag && image.repoTags.includes(tag) && !item.tags.includes(tag)) item.tags.push(tag);
      items.set(image.id, item);
    }
    const archive = await saveArchive(this.stores.content, [...items.values()]);
    for (const { image, tags } of items.values()) {
      for (const tag of tags.length > 0 ? tags : [image.id]) this.publish('save', tag);
    }
    return archive;
  }

  /** `docker load`: the images of a `docker save` (or OCI layout) archive, under a lease. */
  async load(archive: Readable): Promise<LoadedImage[]> {
    const loaded = await this.stores.references.lease(() =>
      loadArchive(
        { content: this.stores.content, layers: this.stores.layers, images: this.stores.images },
        archive,
      ),
    );
    for (const image of loaded) {
      for (const tag of image.tags.length > 0 ? image.tags : [image.id]) this.publish('load', tag);
    }
    return loaded;
  }

  /** `docker import`: a filesystem tarball becomes a one-layer image; `changes` as for commit. */
  importImage(options: {
    archive: Readable;
    tag: string | null;
    changes: string[];
    message: string;
  }): Promise<string> {
    return this.commit({
      parentId: null,
      layer: options.archive,
      config: applyChanges({}, options.changes),
      comment: options.message || 'Imported from -',
      author: '',
      createdBy: '',
      tag: options.tag,
    });
  }

  /** Every image with the bytes its layers hold, for `system df`. */
  usage(): ReturnType<typeof imageUsage> {
    return imageUsage(this.stores.images, this.stores.layers, this.stores.references);
  }

  /** Waits for blobs still being made durable, so a clean stop keeps every one. */
  async close(): Promise<void> {
    await Promise.all([this.registry.close(), this.stores.content.flush(), this.pulls.flush()]);
  }
}

/** The registry a reference names, or '' when it does not parse (the pull itself says why). */
function registryOf(reference: string): string {
  try {
    return parseImageReference(reference).domain;
  } catch {
    return '';
  }
}
