import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  familiarImageName,
  formatImageReference,
  type ImageConfig,
  type ImageHistoryEntry,
  type ImageInspect,
  type ImageSummary,
  type PruneReport,
  type PullEvent,
  type PullProgress,
  type PushEvent,
  parseImageReference,
  type RegistryEndpointCheck,
  type SearchResult,
  StevedoreError,
} from '@stevedore/shared';
import type { AgentConfig } from '../config/agent-config.js';
import type { AgentPaths } from '../config/paths.js';
import type { EventBus } from '../events/event-bus.js';
import { goArch } from '../host/arch.js';
import type { ImageForContainer } from '../runtime/containers/container-service.js';
import { applyLayer } from '../storage/extract/apply-layer.js';
import { decompressed } from '../storage/extract/decompress.js';
import { chainIdOf, Overlay2Store } from '../storage/overlay2/layer-store.js';
import { AsyncQueue } from '../util/async-queue.js';
import { crashPoint } from '../util/crash-point.js';
import { diskUsage } from '../util/disk-usage.js';
import { KeyedLock } from '../util/keyed-lock.js';
import type { Logger } from '../util/logger.js';
import { applyChanges } from './commit-changes.js';
import { ContentStore } from './content/content-store.js';
import { imageFilter } from './image-filters.js';
import { type ImageRecord, ImageStore } from './image-store.js';
import { findLeftovers, leftoverBytes } from './leftovers.js';
import { type LoadedImage, loadArchive } from './load-archive.js';
import { pullImage } from './pull.js';
import { pushImage } from './push.js';
import { RegistryClient } from './registry/client.js';
import { CredentialStore } from './registry/credentials.js';
import type { EndpointConfig } from './registry/endpoints.js';
import { checkRegistry } from './registry/registry-check.js';
import { type SaveItem, saveArchive } from './save-archive.js';

const summarize = (image: ImageRecord): ImageSummary => ({
  Id: image.id,
  RepoTags: image.repoTags,
  RepoDigests: image.repoDigests,
  Created: image.config.created ?? image.pulledAt,
  Size: image.size,
});

/** A container that uses an image. */
export interface ImageUser {
  id: string;
  running: boolean;
}

/** Images of this agent: pull with progress, list. Wired from the config's registry settings. */
export class ImageService {
  /** Which container, if any, uses an image (set once containers are wired up). */
  private containerUsing: (imageId: string) => ImageUser | null = () => null;
  private readonly pinned = new Map<string, number>();
  private layersRemoved: (chainIds: string[]) => Promise<void> = async () => {};
  private readonly layerLock = new KeyedLock();
  /** Pulls, loads and commits under way: their blobs and layers are not leftovers yet. */
  private leases = 0;
  /** A collection of leftovers under way: new leases wait for it. */
  private collecting: Promise<void> | null = null;

  private constructor(
    private readonly registry: RegistryClient,
    private readonly content: ContentStore,
    private readonly layers: Overlay2Store,
    private readonly images: ImageStore,
    private readonly credentials: CredentialStore,
    /** Scratch space on the data-root's filesystem (for commit's layer spool). */
    private readonly spoolDir: string,
    private readonly events: EventBus | null,
    private readonly endpointConfig: () => EndpointConfig,
  ) {}

  /** Docker's image events: pull, tag, untag, delete (Actor.ID is the name, or the ID for delete). */
  private publish(action: string, actor: string, attributes: Record<string, string> = {}): void {
    this.events?.publish('image', action, actor, { name: actor, ...attributes });
  }

  static async create(
    config: AgentConfig,
    paths: AgentPaths,
    events: EventBus | null = null,
    log: Logger | null = null,
  ): Promise<ImageService> {
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
    const layers = new Overlay2Store(join(paths.dataRoot, 'overlay2'));
    const images = new ImageStore(paths.images);
    await Promise.all([content.init(), layers.init(), images.init()]);
    return new ImageService(
      registry,
      content,
      layers,
      images,
      credentials,
      join(paths.dataRoot, 'tmp'),
      events,
      endpointConfig,
    );
  }

  /**
   * Pins a pull's layers against a concurrent `rmi`: pinning and deleting a layer both happen
   * under one lock, so either the pull sees the layer gone (and fetches it again) or `rmi` sees
   * it pinned (and keeps it).
   */
  private async pin(chainIds: readonly string[]): Promise<() => void> {
    await this.underLayerLock(async () => {
      for (const chainId of chainIds) this.pinned.set(chainId, (this.pinned.get(chainId) ?? 0) + 1);
    });
    return () => {
      for (const chainId of chainIds) {
        const left = (this.pinned.get(chainId) ?? 1) - 1;
        if (left > 0) this.pinned.set(chainId, left);
        else this.pinned.delete(chainId);
      }
    };
  }

  /** Held by a pull, load or commit from its first byte to its image record. */
  private async lease<T>(work: () => Promise<T>): Promise<T> {
    while (this.collecting) await this.collecting;
    this.leases++;
    try {
      return await work();
    } finally {
      this.leases--;
    }
  }

  /** `system df`: what unfinished pulls, loads and commits left. */
  async leftoverUsage(): Promise<{ count: number; size: number }> {
    const leftovers = await this.currentLeftovers();
    return { count: leftovers.blobs.length + leftovers.layers.length, size: await leftoverBytes(leftovers) };
  }

  private async currentLeftovers() {
    return findLeftovers(await this.images.list(), this.content, this.layers, new Set(this.pinned.keys()));
  }

  /**
   * Removes what unfinished pulls, loads and commits left (all of it, or only `among`); never
   * while one is under way. Resolves the bytes freed.
   */
  async pruneLeftovers(among?: ReadonlySet<string>): Promise<number> {
    if (this.leases > 0 || this.collecting) return 0;
    let done = () => {};
    this.collecting = new Promise<void>((resolve) => {
      done = resolve;
    });
    try {
      return await this.underLayerLock(async () => {
        const found = await this.currentLeftovers();
        const chosen = {
          layers: found.layers.filter((layer) => !among || among.has(layer.chainId)),
          blobs: found.blobs.filter((blob) => !among || among.has(blob.digest)),
        };
        const bytes = await leftoverBytes(chosen);
        for (const layer of chosen.layers) await this.layers.removeLayer(layer.chainId);
        for (const blob of chosen.blobs) await this.content.delete(blob.digest);
        return bytes;
      });
    } finally {
      this.collecting = null;
      done();
    }
  }

  /**
   * At start-up: what earlier pulls left is kept for `graceMs` (a pull tried again reuses it),
   * then removed if still unused.
   */
  async collectLeftoversLater(graceMs: number, log: Logger): Promise<void> {
    const found = await this.currentLeftovers();
    const ids = new Set([...found.layers.map((l) => l.chainId), ...found.blobs.map((b) => b.digest)]);
    if (ids.size === 0) return;
    log.info(
      { count: ids.size, graceMs },
      'unfinished downloads found; removed after the grace period if unused',
    );
    const collect = () => {
      this.pruneLeftovers(ids).then(
        (bytes) => {
          if (bytes === 0 && (this.leases > 0 || this.collecting)) setTimeout(collect, graceMs).unref();
          else log.info({ bytes }, 'unfinished downloads removed');
        },
        (error) => log.warn({ err: error }, 'removing unfinished downloads failed'),
      );
    };
    setTimeout(collect, graceMs).unref();
  }

  private underLayerLock<T>(fn: () => Promise<T>): Promise<T> {
    return this.layerLock.run('layers', fn);
  }

  get layerStore(): Overlay2Store {
    return this.layers;
  }

  /** Also drop other copies of removed layers (the `--userns-remap` store). */
  onLayersRemoved(hook: (chainIds: string[]) => Promise<void>): void {
    this.layersRemoved = hook;
  }

  /** Which container uses an image (a running one first): such an image's layers are never removed. */
  setUsageCheck(check: (imageId: string) => ImageUser | null): void {
    this.containerUsing = check;
  }

  /** The image a new container is made from: its ID, top layer and runtime config. */
  async resolveForContainer(reference: string): Promise<ImageForContainer> {
    const image = await this.images.resolve(reference, tryCanonicalName(reference));
    if (!image) {
      const name = tryCanonicalName(reference);
      throw new StevedoreError('NOT_FOUND', `No such image: ${name ? familiarOf(name) : reference}`, {
        image: reference,
        missingImage: true,
      });
    }
    const topChainId = image.chainIds.at(-1);
    if (!topChainId) {
      throw new StevedoreError('FAILED_PRECONDITION', `image ${reference} has no layers to run`, {
        image: reference,
      });
    }
    return { id: image.id, topChainId, chainIds: image.chainIds, config: image.config.config };
  }

  /**
   * `docker commit`: a new image from a parent image plus one layer (a tar in Docker layer
   * format). The tar is spooled once to learn its diff ID, then unpacked into the layer store.
   */
  commit(options: Parameters<ImageService['commitLeased']>[0]): Promise<string> {
    return this.lease(() => this.commitLeased(options));
  }

  private async commitLeased(options: {
    /** null: a base image (`docker import`). */
    parentId: string | null;
    layer: Readable;
    config: NonNullable<ImageConfig['config']>;
    comment: string;
    author: string;
    createdBy: string;
    tag: string | null;
  }): Promise<string> {
    const parent = options.parentId ? await this.images.get(options.parentId) : null;
    if (options.parentId && !parent)
      throw new StevedoreError('NOT_FOUND', `No such image: ${options.parentId}`);
    const base: ImageConfig = parent?.config ?? {
      architecture: goArch(),
      os: 'linux',
      rootfs: { type: 'layers', diff_ids: [] },
      history: [],
    };
    // `import` takes gzip or zstd tarballs too; the diff ID is that of the plain tar.
    const layer = await decompressed(options.layer);
    const spool = join(this.spoolDir, `commit-${randomBytes(8).toString('hex')}.tar`);
    await mkdir(this.spoolDir, { recursive: true, mode: 0o700 });
    try {
      const hash = createHash('sha256');
      let size = 0;
      await pipeline(
        layer,
        async function* (source: AsyncIterable<Buffer>) {
          for await (const chunk of source) {
            hash.update(chunk);
            size += chunk.length;
            yield chunk;
          }
        },
        createWriteStream(spool, { mode: 0o600 }),
      );
      const diffId = `sha256:${hash.digest('hex')}`;
      // The layer tar itself is the blob save and push hand out.
      if (!(await this.content.has(diffId))) await this.content.write(diffId, createReadStream(spool), size);
      const parentTop = parent?.chainIds.at(-1) ?? null;
      const chainId = chainIdOf(parentTop, diffId);
      await this.layers.createLayer(chainId, parentTop, async (diffDir) => {
        await applyLayer(createReadStream(spool), diffDir);
        return size;
      });
      crashPoint('commit-layer-created');
      const created = new Date().toISOString();
      const config: ImageConfig = {
        ...base,
        created,
        config: options.config,
        rootfs: { type: 'layers', diff_ids: [...base.rootfs.diff_ids, diffId] },
        history: [
          ...(base.history ?? []),
          {
            created,
            created_by: options.createdBy,
            ...(options.comment ? { comment: options.comment } : {}),
          },
        ],
        ...(options.author ? { author: options.author } : {}),
      };
      const body = Buffer.from(JSON.stringify(config));
      const id = `sha256:${createHash('sha256').update(body).digest('hex')}`;
      await this.content.write(id, Readable.from([body]), body.length);
      await this.images.save(
        {
          id,
          chainIds: [...(parent?.chainIds ?? []), chainId],
          ...(parent && !parent.blobs
            ? {}
            : {
                blobs: [
                  ...(parent?.blobs ?? []),
                  { digest: diffId, mediaType: 'application/vnd.docker.image.rootfs.diff.tar', size },
                ],
              }),
          size: (parent?.size ?? 0) + size,
          config,
          pulledAt: created,
        },
        options.tag ? canonicalTag(options.tag) : null,
        '',
      );
      if (options.tag) this.publish('tag', canonicalTag(options.tag), { imageID: id });
      return id;
    } finally {
      await rm(spool, { force: true });
    }
  }

  /** `docker images`, newest first; `filters` as `docker images --filter` (see image-filters.ts). */
  async list(filters: readonly string[] = []): Promise<ImageSummary[]> {
    const passes = await imageFilter(filters, (reference) => this.require(reference));
    return (await this.images.list())
      .filter(passes)
      .map(summarize)
      .sort((a, b) => b.Created.localeCompare(a.Created));
  }

  /** Progress events while pulling, then the image; the pull goes on if the caller goes away. */
  async *pull(reference: string): AsyncGenerator<PullEvent> {
    const queue = new AsyncQueue<PullEvent>();
    const deps = {
      registry: this.registry,
      content: this.content,
      layers: this.layers,
      images: this.images,
      pin: (chainIds: readonly string[]) => this.pin(chainIds),
    };
    this.lease(() =>
      pullImage(deps, reference, (progress: PullProgress) => queue.push({ type: 'progress', progress })),
    )
      .then((image) => {
        this.publish('pull', tryCanonicalName(reference) ?? reference);
        queue.push({ type: 'done', image: summarize(image) });
        queue.close();
      })
      .catch((error: unknown) => queue.close(error));
    yield* queue.drain();
  }

  /** `docker push NAME[:TAG]`: progress per blob, then the pushed manifest's digest. */
  async *push(name: string): AsyncGenerator<PushEvent> {
    const tag = canonicalTag(name);
    const image = await this.images.resolve(tag, tag);
    if (!image?.repoTags.includes(tag)) {
      throw new StevedoreError(
        'NOT_FOUND',
        `An image does not exist locally with the tag: ${familiarOf(tag)}`,
        {
          image: name,
        },
      );
    }
    const queue = new AsyncQueue<PushEvent>();
    pushImage({ registry: this.registry, content: this.content, images: this.images }, image, tag, (event) =>
      queue.push(event),
    )
      .then(({ digest, size }) => {
        this.publish('push', tag);
        queue.push({ type: 'done', tag, digest, size });
        queue.close();
      })
      .catch((error: unknown) => queue.close(error));
    yield* queue.drain();
  }

  /**
   * `docker search [REGISTRY/]TERM`: Docker Hub's search API for docker.io; for other registries
   * their catalog, filtered by the term (the v2 API has no search of its own).
   */
  async search(query: string, limit: number): Promise<SearchResult[]> {
    const slash = query.indexOf('/');
    const first = slash > 0 ? query.slice(0, slash) : '';
    const isRegistry = first.includes('.') || first.includes(':') || first === 'localhost';
    if (!isRegistry) {
      const results = await this.registry.hubSearch(query, limit);
      return results.map((r) => ({
        Name: r.name,
        Description: r.description,
        StarCount: r.star_count,
        IsOfficial: r.is_official,
      }));
    }
    const term = query.slice(slash + 1).toLowerCase();
    const repositories = await this.registry.catalog(first);
    return repositories
      .filter((repository) => repository.toLowerCase().includes(term))
      .slice(0, limit)
      .map((repository) => ({
        Name: `${first}/${repository}`,
        Description: '',
        StarCount: 0,
        IsOfficial: false,
      }));
  }

  /** `registry.check`: every endpoint a pull from `domain` would use, probed now. */
  checkRegistry(domain: string, mirrorsOnly = false): Promise<RegistryEndpointCheck[]> {
    return checkRegistry(domain, this.endpointConfig(), { mirrorsOnly });
  }

  /** `docker login`: the credentials are checked against the registry before they are kept. */
  async login(serverAddress: string, username: string, password: string): Promise<{ Status: string }> {
    const domain = serverAddress === 'index.docker.io' ? 'docker.io' : serverAddress;
    await this.registry.checkLogin(domain, { username, password });
    await this.credentials.set(domain, { username, password });
    return { Status: 'Login Succeeded' };
  }

  async logout(serverAddress: string): Promise<{ removed: boolean }> {
    return { removed: await this.credentials.remove(serverAddress) };
  }

  /** `docker tag`: another name for an existing image. */
  async tag(source: string, target: string): Promise<void> {
    const image = await this.require(source);
    const tag = canonicalTag(target);
    await this.images.addTag(image.id, tag);
    this.publish('tag', tag, { imageID: image.id });
  }

  /**
   * `docker rmi`: removes a tag; when the image has none left (or an ID was given), the image and
   * the layers no other image uses. Returns Docker's Untagged/Deleted lines.
   */
  async remove(nameOrId: string, force = false): Promise<{ untagged: string[]; deleted: string[] }> {
    const result = await this.removeImage(nameOrId, force);
    for (const name of result.untagged) this.publish('untag', name);
    const imageId = result.deleted[0];
    if (imageId) this.publish('delete', imageId);
    return result;
  }

  private async removeImage(
    nameOrId: string,
    force: boolean,
  ): Promise<{ untagged: string[]; deleted: string[] }> {
    const image = await this.require(nameOrId);
    const user = this.containerUsing(image.id);
    // By one of its names (a tag), or else by ID (`sha256:…` parses as a name too, so ask the image).
    const asName = tryCanonicalTag(nameOrId);
    const byName = asName !== null && image.repoTags.includes(asName);
    const lastName = image.repoTags.length <= 1 || !byName;
    if (user && lastName) {
      const short = image.id.slice(7, 19);
      if (!byName && user.running) {
        // Docker: an image a running container stands on cannot be removed by ID, not even forced.
        throw new StevedoreError(
          'CONFLICT',
          `conflict: unable to delete ${short} (cannot be forced) - image is being used by running container ${user.id.slice(0, 12)}`,
          { image: image.id, container: user.id },
        );
      }
      if (!force) {
        throw new StevedoreError(
          'CONFLICT',
          byName
            ? `conflict: unable to remove repository reference "${nameOrId}" (must force) - container ${user.id.slice(0, 12)} is using its referenced image ${short}`
            : `conflict: unable to delete ${short} (must be forced) - image is being used by stopped container ${user.id.slice(0, 12)}`,
          { image: image.id, container: user.id },
        );
      }
      // Forced while in use: the names go, the image stays (dangling) for the container, as Docker does.
      for (const tag of image.repoTags) await this.images.removeTag(image.id, tag);
      return { untagged: image.repoTags, deleted: [] };
    }
    const untagged: string[] = [];
    const asTag = tryCanonicalTag(nameOrId);
    let left = image;
    if (asTag && image.repoTags.includes(asTag)) {
      left = await this.images.removeTag(image.id, asTag);
      untagged.push(asTag);
      if (left.repoTags.length > 0) return { untagged, deleted: [] };
    } else if (image.repoTags.length > 1 && !force) {
      throw new StevedoreError(
        'CONFLICT',
        `unable to delete ${image.id.slice(7, 19)} (must be forced) - image is referenced in multiple repositories`,
      );
    } else {
      untagged.push(...image.repoTags);
    }
    untagged.push(...left.repoDigests);
    await this.images.delete(image.id);
    await this.content.delete(image.id);
    const others = await this.images.list();
    const stillUsed = new Set(others.flatMap((other) => other.chainIds));
    const blobsUsed = new Set(others.flatMap((other) => (other.blobs ?? []).map((blob) => blob.digest)));
    const deleted = [image.id];
    await this.underLayerLock(async () => {
      for (const [index, chainId] of [...image.chainIds.entries()].reverse()) {
        // Everything below a shared or pinned layer is shared too.
        if (stillUsed.has(chainId) || this.pinned.has(chainId)) break;
        await this.layers.removeLayer(chainId);
        const blob = image.blobs?.[index]?.digest;
        if (blob && !blobsUsed.has(blob)) await this.content.delete(blob);
        deleted.push(chainId);
      }
      await this.layersRemoved(deleted.slice(1));
    });
    return { untagged, deleted };
  }

  async inspect(nameOrId: string): Promise<ImageInspect> {
    const image = await this.require(nameOrId);
    return {
      Id: image.id,
      RepoTags: image.repoTags,
      RepoDigests: image.repoDigests,
      Created: image.config.created ?? image.pulledAt,
      Architecture: image.config.architecture,
      Os: image.config.os,
      Size: image.size,
      Config: image.config.config,
      RootFS: { Type: 'layers', Layers: image.config.rootfs.diff_ids },
    };
  }

  /** `docker history`: the config's history, newest first, with each layer's size on disk. */
  async history(nameOrId: string): Promise<ImageHistoryEntry[]> {
    const image = await this.require(nameOrId);
    const sizes = await diskUsage(image.chainIds.map((chainId) => this.layers.diffDir(chainId)));
    const layerSize = (index: number) => sizes.get(this.layers.diffDir(image.chainIds[index] ?? '')) ?? 0;
    const history = image.config.history?.length
      ? image.config.history
      : image.chainIds.map(() => ({
          created: image.config.created,
          created_by: '',
          comment: '',
          empty_layer: false,
        }));
    let layer = 0;
    const rows = history.map((entry) => ({
      Id: '<missing>',
      Created: Math.floor(Date.parse(entry.created ?? image.config.created ?? image.pulledAt) / 1000) || 0,
      CreatedBy: entry.created_by ?? '',
      Tags: [] as string[],
      Size: entry.empty_layer ? 0 : layerSize(layer++),
      Comment: entry.comment ?? '',
    }));
    rows.reverse();
    if (rows[0]) Object.assign(rows[0], { Id: image.id, Tags: image.repoTags });
    return rows;
  }

  /**
   * `docker image prune`: dangling images (no tag), or with `all` every image no container uses;
   * reports the bytes of the layers that went with them.
   */
  async prune(all: boolean): Promise<PruneReport> {
    const images = await this.images.list();
    const candidates = images.filter(
      (image) => (all || image.repoTags.length === 0) && !this.containerUsing(image.id),
    );
    const sizes = await diskUsage(
      [...new Set(candidates.flatMap((image) => image.chainIds))].map((c) => this.layers.diffDir(c)),
    );
    const report: PruneReport = { deleted: [], untagged: [], spaceReclaimed: 0 };
    for (const image of candidates) {
      const result = await this.remove(image.id, true);
      report.untagged.push(...result.untagged);
      for (const id of result.deleted) {
        report.deleted.push(id);
        if (id !== image.id) report.spaceReclaimed += sizes.get(this.layers.diffDir(id)) ?? 0;
      }
    }
    report.spaceReclaimed += await this.pruneLeftovers();
    return report;
  }

  /**
   * `docker save`: the named images in one archive; a name that is a tag is recorded with it
   * (several names of one image share one entry), an image named by ID gets no tag.
   */
  async save(names: readonly string[]): Promise<Readable> {
    const items = new Map<string, SaveItem>();
    for (const name of names) {
      const image = await this.require(name);
      const item = items.get(image.id) ?? { image, tags: [] };
      const tag = tryCanonicalTag(name);
      if (tag && image.repoTags.includes(tag) && !item.tags.includes(tag)) item.tags.push(tag);
      items.set(image.id, item);
    }
    const archive = await saveArchive(this.content, [...items.values()]);
    for (const { image, tags } of items.values()) {
      for (const tag of tags.length > 0 ? tags : [image.id]) this.publish('save', tag);
    }
    return archive;
  }

  /** `docker load`: the images of a `docker save` (or OCI layout) archive; their layers pinned meanwhile. */
  async load(archive: Readable): Promise<LoadedImage[]> {
    const loaded = await this.lease(() =>
      loadArchive({ content: this.content, layers: this.layers, images: this.images }, archive),
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

  /** Every image with the bytes its layers hold (shared layers counted once overall). */
  async usage(): Promise<
    { id: string; size: number; inUse: boolean; layers: string[]; repoTags: string[]; created: string }[]
  > {
    const images = await this.images.list();
    return images.map((image) => ({
      id: image.id,
      size: image.size,
      inUse: this.containerUsing(image.id) !== null,
      layers: image.chainIds.map((chainId) => this.layers.diffDir(chainId)),
      repoTags: image.repoTags,
      created: image.config.created ?? image.pulledAt,
    }));
  }

  private async require(nameOrId: string): Promise<ImageRecord> {
    const image = await this.images.resolve(nameOrId, tryCanonicalName(nameOrId));
    if (!image) throw new StevedoreError('NOT_FOUND', `No such image: ${nameOrId}`, { image: nameOrId });
    return image;
  }

  /** Waits for blobs still being made durable, so a clean stop keeps every one. */
  async close(): Promise<void> {
    await Promise.all([this.registry.close(), this.content.flush()]);
  }
}

const familiarOf = (canonical: string) => familiarImageName(parseImageReference(canonical));

function canonicalTag(name: string): string {
  const ref = parseImageReference(name);
  if (ref.digest) throw new StevedoreError('INVALID_ARGUMENT', `"${name}": a tag cannot contain a digest`);
  return formatImageReference(ref);
}

function tryCanonicalTag(name: string): string | null {
  try {
    return canonicalTag(name);
  } catch {
    return null;
  }
}

function tryCanonicalName(name: string): string | null {
  try {
    return formatImageReference(parseImageReference(name));
  } catch {
    return null;
  }
}
