import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  formatImageReference,
  type ImageConfig,
  ImageConfigSchema,
  MediaTypes,
  parseImageReference,
  StevedoreError,
} from '@stevedore/shared';
import { extract } from 'tar-stream';
import { z } from 'zod';
import { applyLayer } from '../storage/extract/apply-layer.js';
import { compressionOf } from '../storage/extract/decompress.js';
import { chainIdOf, type Overlay2Store } from '../storage/overlay2/layer-store.js';
import type { ContentStore } from './content/content-store.js';
import type { ImageStore } from './image-store.js';

/** `manifest.json` of a `docker save` archive (every Docker version writes it). */
const ArchiveManifestSchema = z.array(
  z.object({
    Config: z.string(),
    RepoTags: z.array(z.string()).nullable().default([]),
    Layers: z.array(z.string()),
  }),
);

/** An OCI image layout's index.json and manifests (archives without manifest.json, e.g. podman's). */
const OciIndexSchema = z.object({
  manifests: z.array(
    z.object({
      digest: z.string(),
      annotations: z.record(z.string(), z.string()).optional(),
    }),
  ),
});
const OciManifestSchema = z.object({
  config: z.object({ digest: z.string() }),
  layers: z.array(z.object({ digest: z.string() })),
});

export interface LoadDeps {
  content: ContentStore;
  layers: Overlay2Store;
  images: ImageStore;
}

export interface LoadedImage {
  id: string;
  tags: string[];
}

interface ArchiveImage {
  configPath: string;
  layerPaths: string[];
  tags: string[];
}

const blobPath = (digest: string) => `blobs/${digest.replace(':', '/')}`;

/** manifest.json, index.json, OCI manifests and image configs are small; anything bigger is not one. */
const MAX_JSON_BYTES = 16 << 20;

/** The archive's file entries, spooled to files in a scratch directory, by normalized name. */
async function spoolEntries(archive: Readable, dir: string): Promise<Map<string, string>> {
  const entries = new Map<string, string>();
  const reader = extract();
  const feeding = pipeline(archive, reader).catch((error: unknown) => reader.destroy(error as Error));
  for await (const entry of reader) {
    if (entry.header.type === 'file') {
      // Stored under a counter, never under the entry's own name: names are only map keys here.
      const file = join(dir, String(entries.size));
      await pipeline(entry, createWriteStream(file, { mode: 0o600 }));
      entries.set(entry.header.name.replace(/^\.\//, ''), file);
    } else entry.resume();
  }
  await feeding;
  return entries;
}

/** A small JSON entry's bytes. */
async function readEntry(entries: Map<string, string>, name: string, what: string): Promise<Buffer> {
  const file = entries.get(name);
  if (!file)
    throw new StevedoreError('INVALID_ARGUMENT', `invalid archive: ${what} is missing`, { entry: name });
  const { size } = await stat(file);
  if (size > MAX_JSON_BYTES) {
    throw new StevedoreError(
      'INVALID_ARGUMENT',
      `invalid archive: ${name} is ${size} bytes, too big for ${what}`,
    );
  }
  return readFile(file);
}

async function imagesOf(entries: Map<string, string>): Promise<ArchiveImage[]> {
  const text = async (name: string) =>
    JSON.parse((await readEntry(entries, name, name)).toString('utf8')) as unknown;
  if (entries.has('manifest.json')) {
    const parsed = ArchiveManifestSchema.safeParse(await text('manifest.json'));
    if (!parsed.success)
      throw new StevedoreError('INVALID_ARGUMENT', 'invalid archive: manifest.json is malformed');
    return parsed.data.map((m) => ({ configPath: m.Config, layerPaths: m.Layers, tags: m.RepoTags ?? [] }));
  }
  if (entries.has('index.json')) {
    const index = OciIndexSchema.parse(await text('index.json'));
    const images: ArchiveImage[] = [];
    for (const descriptor of index.manifests) {
      const manifest = OciManifestSchema.parse(await text(blobPath(descriptor.digest)));
      const name =
        descriptor.annotations?.['io.containerd.image.name'] ??
        descriptor.annotations?.['org.opencontainers.image.ref.name'];
      images.push({
        configPath: blobPath(manifest.config.digest),
        layerPaths: manifest.layers.map((layer) => blobPath(layer.digest)),
        // A bare ref.name ("latest") names no repository: such an image loads untagged.
        tags: name?.includes(':') ? [name] : [],
      });
    }
    return images;
  }
  throw new StevedoreError(
    'INVALID_ARGUMENT',
    'invalid archive: neither manifest.json (docker save) nor index.json (OCI layout) is in it',
  );
}

export interface LayerBlob {
  digest: string;
  mediaType: string;
  size: number;
}

/** The media type a layer blob's first bytes say it has: gzip, zstd or a plain tar. */
function layerMediaType(head: Buffer): string {
  return {
    gzip: MediaTypes.dockerLayerGzip,
    zstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
    none: 'application/vnd.docker.image.rootfs.diff.tar',
  }[compressionOf(head)];
}

/** Keeps a layer's bytes as a blob, so `save` and `push` can give them out unchanged. */
async function keepBlob(content: ContentStore, file: string): Promise<LayerBlob & { added: boolean }> {
  const hash = createHash('sha256');
  let head: Buffer | null = null;
  let size = 0;
  for await (const chunk of createReadStream(file)) {
    head ??= (chunk as Buffer).subarray(0, 4);
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  const digest = `sha256:${hash.digest('hex')}`;
  const added = !(await content.has(digest));
  if (added) await content.write(digest, createReadStream(file), size);
  return { digest, mediaType: layerMediaType(head ?? Buffer.alloc(0)), size, added };
}

/**
 * `docker load`: images from a `docker save` archive (manifest.json with per-layer tars, as every
 * Docker version writes, or an OCI image layout). Each layer is unpacked like a pulled one and
 * must hash to its diff ID in the image config; layers already present are kept.
 */
export async function loadArchive(deps: LoadDeps, archive: Readable): Promise<LoadedImage[]> {
  const scratch = await deps.content.scratchDir();
  try {
    return await loadSpooled(deps, await spoolEntries(archive, scratch));
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

async function loadSpooled(deps: LoadDeps, entries: Map<string, string>): Promise<LoadedImage[]> {
  const loaded: LoadedImage[] = [];
  for (const image of await imagesOf(entries)) {
    const configBytes = await readEntry(entries, image.configPath, `config ${image.configPath}`);
    const config: ImageConfig = ImageConfigSchema.parse(JSON.parse(configBytes.toString('utf8')));
    const diffIds = config.rootfs.diff_ids;
    if (diffIds.length !== image.layerPaths.length) {
      throw new StevedoreError(
        'INVALID_ARGUMENT',
        `invalid archive: ${image.configPath} lists ${diffIds.length} layers, the manifest ${image.layerPaths.length}`,
      );
    }
    const chainIds: string[] = [];
    const blobs: LayerBlob[] = [];
    const addedBlobs: string[] = [];
    const created: string[] = [];
    let size = 0;
    try {
      for (const [i, path] of image.layerPaths.entries()) {
        const parent = chainIds.at(-1) ?? null;
        const chainId = chainIdOf(parent, diffIds[i] as string);
        chainIds.push(chainId);
        const file = entries.get(path);
        if (!file) throw new StevedoreError('INVALID_ARGUMENT', `invalid archive: layer ${path} is missing`);
        const { added, ...blob } = await keepBlob(deps.content, file);
        blobs.push(blob);
        if (added) addedBlobs.push(blob.digest);
        if (await deps.layers.has(chainId)) continue;
        await deps.layers.createLayer(chainId, parent, async (diffDir) => {
          const applied = await applyLayer(createReadStream(file), diffDir);
          if (applied.diffId !== diffIds[i]) {
            throw new StevedoreError(
              'INVALID_ARGUMENT',
              `invalid diffID for layer ${i} (${path}): expected ${diffIds[i]}, got ${applied.diffId}`,
              { layer: path },
            );
          }
          size += applied.size;
          return applied.size;
        });
        created.push(chainId);
      }
    } catch (error) {
      // Layers this load made for an image it could not finish belong to nothing: remove them. One
      // that cannot be removed now stays a leftover, which a prune or the start-up collection frees.
      for (const chainId of created.reverse()) await deps.layers.removeLayer(chainId).catch(() => {});
      for (const digest of addedBlobs) await deps.content.delete(digest).catch(() => {});
      throw error;
    }
    const id = `sha256:${createHash('sha256').update(configBytes).digest('hex')}`;
    await deps.content.write(id, Readable.from([configBytes]), configBytes.length);
    // From the layer store when every layer's size is recorded (layers already here count too).
    const recorded = await deps.layers.imageSize(chainIds);
    const record = {
      id,
      chainIds,
      size: recorded ?? size,
      config,
      blobs,
      pulledAt: new Date().toISOString(),
    };
    const tags = image.tags.map((tag) => formatImageReference(parseImageReference(tag)));
    await deps.images.save(record, null, '');
    for (const tag of tags) await deps.images.save(record, tag, '');
    loaded.push({ id, tags });
  }
  return loaded;
}
