import { availableParallelism } from 'node:os';
import { PassThrough, type Readable, Transform } from 'node:stream';
import {
  type Descriptor,
  formatImageReference,
  type ImageConfig,
  ImageConfigSchema,
  type ImageManifest,
  type ImageReference,
  isStevedoreError,
  MediaTypes,
  type PullProgress,
  parseImageReference,
  StevedoreError,
} from '@stevedore/shared';
import { applyLayer } from '../storage/extract/apply-layer.js';
import { chainIdOf, type Overlay2Store } from '../storage/overlay2/layer-store.js';
import { crashPoint } from '../util/crash-point.js';
import { readAll } from '../util/read-all.js';
import { Semaphore } from '../util/semaphore.js';
import type { ContentStore } from './content/content-store.js';
import type { ImageRecord, ImageStore } from './image-store.js';
import { REGISTRY_LIMITS } from './registry/bounded-body.js';
import type { RegistryClient } from './registry/client.js';
import { hostPlatform, selectPlatform } from './registry/platform.js';

export interface PullDeps {
  /** The registry calls a pull makes (the image service wraps them to note who served each). */
  registry: Pick<RegistryClient, 'getManifest' | 'openBlob'>;
  content: ContentStore;
  layers: Overlay2Store;
  images: ImageStore;
  /**
   * Keeps `chainIds` from being deleted by a concurrent `rmi` until the returned release is
   * called (after the image record that references them is saved).
   */
  pin?(chainIds: readonly string[]): Promise<() => void>;
  /** Stops the pull: open downloads are destroyed and the pull fails with a cancellation. */
  signal?: AbortSignal;
}

/** Throws when the pull was cancelled, so no further step starts. */
function checkCancelled(deps: PullDeps, name: string): void {
  if (deps.signal?.aborted) throw cancelled(name);
}

const cancelled = (name: string) =>
  new StevedoreError('FAILED_PRECONDITION', `pull of ${name} cancelled`, { image: name });

const FOREIGN = new Set<string>([
  MediaTypes.dockerForeignLayerGzip,
  'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip',
]);

/**
 * Pulls an image: manifest (index → this platform), config, then every layer downloaded and
 * extracted at once, in parallel, while it streams. Compressed digests and diff_ids are both
 * verified; a layer that is already present is not downloaded again.
 */
export async function pullImage(
  deps: PullDeps,
  reference: string,
  onProgress: (event: PullProgress) => void,
): Promise<ImageRecord> {
  const ref = parseImageReference(reference);
  const name = formatImageReference({ ...ref, tag: ref.digest ? null : ref.tag, digest: ref.digest });
  checkCancelled(deps, name);
  let fetched = await deps.registry.getManifest(ref);
  if (fetched.kind === 'index') {
    const chosen = selectPlatform(fetched.index, hostPlatform(), name);
    checkCancelled(deps, name);
    fetched = await deps.registry.getManifest({ ...ref, tag: null, digest: chosen.digest });
  }
  checkCancelled(deps, name);
  if (fetched.kind !== 'manifest')
    throw new StevedoreError('INVALID_ARGUMENT', `${name}: a manifest list points at another list`);
  const { manifest, digest: manifestDigest } = fetched;
  for (const layer of manifest.layers) {
    if (FOREIGN.has(layer.mediaType) || layer.urls?.length) {
      throw new StevedoreError(
        'INVALID_ARGUMENT',
        `${name}: layer ${layer.digest} is foreign (non-distributable); Stevedore does not fetch those`,
        {
          digest: layer.digest,
        },
      );
    }
  }

  if (manifest.config.size > REGISTRY_LIMITS.config) {
    throw new StevedoreError(
      'INVALID_ARGUMENT',
      `${name}: the image config is ${manifest.config.size} bytes, more than the ${REGISTRY_LIMITS.config} allowed`,
      { registry: fetched.endpoint.url, repository: ref.path, limit: REGISTRY_LIMITS.config },
    );
  }
  if (!(await deps.content.has(manifest.config.digest))) {
    const { stream } = await deps.registry.openBlob(ref, manifest.config.digest);
    await deps.content.write(manifest.config.digest, stream, manifest.config.size);
  }
  const config = ImageConfigSchema.parse(
    JSON.parse((await readAll(deps.content.read(manifest.config.digest))).toString('utf8')),
  );
  const diffIds = config.rootfs.diff_ids;
  if (diffIds.length !== manifest.layers.length) {
    throw new StevedoreError(
      'INVALID_ARGUMENT',
      `${name}: the manifest has ${manifest.layers.length} layers but the config lists ${diffIds.length}`,
    );
  }

  const chainIds: string[] = [];
  for (const diffId of diffIds) chainIds.push(chainIdOf(chainIds.at(-1) ?? null, diffId));
  checkCancelled(deps, name);
  const release = (await deps.pin?.(chainIds)) ?? (() => {});
  try {
    return await pullLayers(deps, ref, manifest, manifestDigest, config, chainIds, onProgress);
  } finally {
    release();
  }
}

async function pullLayers(
  deps: PullDeps,
  ref: ImageReference,
  manifest: ImageManifest,
  manifestDigest: string,
  config: ImageConfig,
  chainIds: string[],
  onProgress: (progress: PullProgress) => void,
): Promise<ImageRecord> {
  const diffIds = config.rootfs.diff_ids;
  const ready: Promise<void>[] = [];
  manifest.layers.forEach((layer, i) => {
    const chainId = chainIds[i]!;
    const parent = i === 0 ? null : chainIds[i - 1]!;
    const parentReady = i === 0 ? Promise.resolve() : ready[i - 1]!;
    ready.push(
      (async () => {
        const id = layer.digest.slice(7, 19);
        checkCancelled(deps, ref.path);
        if (await deps.layers.has(chainId)) {
          // The unpacked layer is here; its blob (for save and push) may not be, if it came another way.
          if (!(await deps.content.has(layer.digest))) {
            const { stream } = await deps.registry.openBlob(ref, layer.digest);
            await deps.content.write(layer.digest, stream, layer.size);
          }
          onProgress({ id, status: 'Already exists' });
          return;
        }
        onProgress({ id, status: 'Pulling fs layer' });
        await deps.layers.createLayer(
          chainId,
          parent,
          async (diffDir) => {
            const applied = await downloadAndApply(deps, ref, layer, diffDir, (status, current) =>
              onProgress(
                status === 'Downloading' ? { id, status, current, total: layer.size } : { id, status },
              ),
            );
            if (applied.diffId !== diffIds[i]) {
              throw new StevedoreError(
                'INVALID_ARGUMENT',
                `layer ${layer.digest}: its content hashes to ${applied.diffId}, the image config says ${diffIds[i]}`,
                {
                  digest: layer.digest,
                },
              );
            }
            onProgress({ id, status: 'Download complete' });
            return applied.size;
          },
          parentReady,
        );
        onProgress({ id, status: 'Pull complete' });
        crashPoint('layer-pulled');
      })(),
    );
  });
  // Let every layer settle so none is left half-written, then report the first failure.
  const results = await Promise.allSettled(ready);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;

  const repository = `${ref.domain}/${ref.path}`;
  return deps.images.save(
    {
      id: manifest.config.digest,
      chainIds,
      // From the layer store: layers that were already here count too.
      size: (await deps.layers.imageSize(chainIds)) ?? (await existingSize(deps, manifest.config.digest)),
      config,
      blobs: manifest.layers.map((layer) => ({
        digest: layer.digest,
        mediaType: layer.mediaType,
        size: layer.size,
      })),
      pulledAt: new Date().toISOString(),
    },
    ref.tag ? `${repository}:${ref.tag}` : null,
    `${repository}@${manifestDigest}`,
  );
}

async function existingSize(deps: PullDeps, id: string): Promise<number> {
  return (await deps.images.get(id))?.size ?? 0;
}

/**
 * Layers unpacked at the same time, agent-wide. Creating files is kernel CPU time; with more
 * unpacking threads than cores they only contend (measured: six 51 MiB layers of ~1500 files
 * unpacked two at a time took 5.2–6.1 s, all six at once 6.0–6.9 s, on two cores).
 */
const unpacking = new Semaphore(Math.max(2, availableParallelism()));

async function downloadAndApply(
  deps: PullDeps,
  ref: ImageReference,
  layer: Descriptor,
  diffDir: string,
  onProgress: (status: 'Downloading' | 'Extracting', current: number) => void,
) {
  const slot = unpacking.tryAcquire();
  if (slot) {
    try {
      return await downloadWhileApplying(deps, ref, layer, diffDir, (current) => {
        onProgress('Downloading', current);
        // Unpacking runs along with the download; what it still has to do once every byte is here.
        if (current === layer.size) onProgress('Extracting', current);
      });
    } finally {
      slot();
    }
  }
  // Every unpacking slot is busy: the blob downloads into the content store meanwhile (its digest
  // checked there), and is unpacked from it once a slot is free.
  const blob = await openCountedBlob(deps, ref, layer, (current) => onProgress('Downloading', current));
  try {
    await deps.content.write(layer.digest, blob.body, layer.size);
  } catch (error) {
    throw layerFailure(layer.digest, error, blob.received());
  }
  const release = await unpacking.acquire();
  try {
    checkCancelled(deps, ref.path);
    onProgress('Extracting', 0);
    return await applyLayer(deps.content.read(layer.digest), diffDir);
  } catch (error) {
    throw layerFailure(layer.digest, error, layer.size);
  } finally {
    release();
  }
}

/**
 * A layer blob from the registry, counted as it is read: `onBytes` gets the running count every
 * 512 KiB and at the end. Counting happens in the body's own transform, so nothing flows (and
 * nothing is lost) before a consumer reads it.
 */
async function openCountedBlob(
  deps: PullDeps,
  ref: ImageReference,
  layer: Descriptor,
  onBytes: (current: number) => void,
): Promise<{ source: Readable; body: Readable; received: () => number }> {
  const { stream } = await deps.registry.openBlob(ref, layer.digest);
  const signal = deps.signal;
  if (signal) {
    // A cancelled pull hangs up: the registry stops sending and the layer fails (and is dropped).
    const hangUp = () => stream.destroy(cancelled(ref.path));
    if (signal.aborted) hangUp();
    else {
      signal.addEventListener('abort', hangUp, { once: true });
      stream.once('close', () => signal.removeEventListener('abort', hangUp));
    }
  }
  let received = 0;
  let lastReport = 0;
  const body = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      received += chunk.length;
      if (received - lastReport >= 512 * 1024 || received === layer.size) {
        lastReport = received;
        onBytes(received);
      }
      callback(null, chunk);
    },
  });
  stream.on('error', (error) => body.destroy(error));
  stream.pipe(body);
  return { source: stream, body, received: () => received };
}

async function downloadWhileApplying(
  deps: PullDeps,
  ref: ImageReference,
  layer: Descriptor,
  diffDir: string,
  onBytes: (current: number) => void,
) {
  const blob = await openCountedBlob(deps, ref, layer, onBytes);
  const unpacked = new PassThrough();
  // The blob is kept as it came (for save and push) while it is unpacked: one download, two uses.
  // The content store checks its digest and size, so a tampered blob fails the layer here.
  const kept = new PassThrough();
  blob.body.on('error', (error) => {
    unpacked.destroy(error);
    kept.destroy(error);
  });
  blob.body.pipe(unpacked);
  blob.body.pipe(kept);
  const storing = deps.content.write(layer.digest, kept, layer.size);
  // Only marks the rejection handled until it is awaited below; nothing is dropped here.
  storing.catch(() => {});
  let applied: Awaited<ReturnType<typeof applyLayer>>;
  try {
    applied = await applyLayer(unpacked, diffDir);
  } catch (error) {
    // A refused layer stops the download, and the half-stored blob is dropped with it.
    kept.destroy(error as Error);
    blob.source.destroy();
    // When the blob had already arrived, its digest check explains a broken layer better than the
    // decompressor's complaint about it.
    const stored = await storing.then(
      () => null,
      (storeError: unknown) => storeError,
    );
    throw layerFailure(layer.digest, stored && stored !== error ? stored : error, blob.received());
  }
  try {
    await storing;
  } catch (error) {
    throw layerFailure(layer.digest, error, blob.received());
  }
  return applied;
}

/** A layer's failure, naming the layer; a domain error keeps its code. */
function layerFailure(digest: string, cause: unknown, received: number): StevedoreError {
  const message = cause instanceof Error ? cause.message : String(cause);
  return new StevedoreError(
    isStevedoreError(cause) ? cause.code : 'INVALID_ARGUMENT',
    `layer ${digest}: ${message} (${received} bytes received)`,
    { digest, ...(isStevedoreError(cause) ? cause.context : {}) },
    { cause },
  );
}

export type { ImageConfig };
