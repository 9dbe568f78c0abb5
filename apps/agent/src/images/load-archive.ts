import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
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
import { compressionOf, decompressed } from '../storage/extract/decompress.js';
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

/** Every entry of the (outer) archive, by its normalized name. */
async function readEntries(archive: Buffer): Promise<Map<string, Buffer>> {
  const entries = new Map<string, Buffer>();
  const reader = extract();
  const done = new Promise<void>((resolve, reject) => {
    reader.on('entry', (header, stream, next) => {
      const parts: Buffer[] = [];
      stream.on('data', (chunk: unknown) => parts.push(chunk as Buffer));
      stream.on('end', () => {
        if (header.type === 'file') entries.set(header.name.replace(/^\.\//, ''), Buffer.concat(parts));
        next();
      });
      stream.on('error', reject);
    });
    reader.on('finish', resolve);
    reader.on('error', reject);
  });
  Readable.from([archive]).pipe(reader);
  await done;
  return entries;
}

function imagesOf(entries: Map<string, Buffer>): ArchiveImage[] {
  const text = (name: string) => {
    const data = entries.get(name);
    if (!data)
      throw new StevedoreError('INVALID_ARGUMENT', `invalid archive: ${name} is missing`, { entry: name });
    return JSON.parse(data.toString('utf8')) as unknown;
  };
  if (entries.has('manifest.json')) {
    const parsed = ArchiveManifestSchema.safeParse(text('manifest.json'));
    if (!parsed.success)
      throw new StevedoreError('INVALID_ARGUMENT', 'invalid archive: manifest.json is malformed');
    return parsed.data.map((m) => ({ configPath: m.Config, layerPaths: m.Layers, tags: m.RepoTags ?? [] }));
  }
  if (entries.has('index.json')) {
    const index = OciIndexSchema.parse(text('index.json'));
    return index.manifests.map((descriptor) => {
      const manifest = OciManifestSchema.parse(text(blobPath(descriptor.digest)));
      const name =
        descriptor.annotations?.['io.containerd.image.name'] ??
        descriptor.annotations?.['org.opencontainers.image.ref.name'];
      return {
        configPath: blobPath(manifest.config.digest),
        layerPaths: manifest.layers.map((layer) => blobPath(layer.digest)),
        // A bare ref.name ("latest") names no repository: such an image loads untagged.
        tags: name?.includes(':') ? [name] : [],
      };
    });
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
function layerMediaType(data: Buffer): string {
  return {
    gzip: MediaTypes.dockerLayerGzip,
    zstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
    none: 'application/vnd.docker.image.rootfs.diff.tar',
  }[compressionOf(data)];
}

/** Keeps a layer's bytes as a blob, so `save` and `push` can give them out unchanged. */
async function keepBlob(content: ContentStore, data: Buffer): Promise<LayerBlob & { added: boolean }> {
  const digest = `sha256:${createHash('sha256').update(data).digest('hex')}`;
  const added = !(await content.has(digest));
  if (added) await content.write(digest, Readable.from([data]), data.length);
  return { digest, mediaType: layerMediaType(data), size: data.length, added };
}

/**
 * `docker load`: images from a `docker save` archive (manifest.json with per-layer tars, as every
 * Docker version writes, or an OCI image layout). Each layer is unpacked like a pulled one and
 * must hash to its diff ID in the image config; layers already present are kept.
 */
export async function loadArchive(deps: LoadDeps, archive: Buffer): Promise<LoadedImage[]> {
  const entries = await readEntries(archive);
  const loaded: LoadedImage[] = [];
  for (const image of imagesOf(entries)) {
    const configBytes = entries.get(image.configPath);
    if (!configBytes) {
      throw new StevedoreError('INVALID_ARGUMENT', `invalid archive: config ${image.configPath} is missing`);
    }
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
        const data = entries.get(path);
        if (!data) throw new StevedoreError('INVALID_ARGUMENT', `invalid archive: layer ${path} is missing`);
        const { added, ...blob } = await keepBlob(deps.content, data);
        blobs.push(blob);
        if (added) addedBlobs.push(blob.digest);
        if (await deps.layers.has(chainId)) continue;
        await deps.layers.createLayer(chainId, parent, async (diffDir) => {
          const applied = await applyLayer(await decompressed(Readable.from([data])), diffDir);
          if (applied.diffId !== diffIds[i]) {
            throw new StevedoreError(
              'INVALID_ARGUMENT',
              `invalid diffID for layer ${i} (${path}): expected ${diffIds[i]}, got ${applied.diffId}`,
              { layer: path },
            );
          }
          size += applied.size;
        });
        created.push(chainId);
      }
    } catch (error) {
      // Layers this load made for an image it could not finish belong to nothing: remove them.
      for (const chainId of created.reverse()) await deps.layers.removeLayer(chainId).catch(() => {});
      for (const digest of addedBlobs) await deps.content.delete(digest).catch(() => {});
      throw error;
    }
    const id = `sha256:${createHash('sha256').update(configBytes).digest('hex')}`;
    await deps.content.write(id, Readable.from([configBytes]), configBytes.length);
    const record = { id, chainIds, size, config, blobs, pulledAt: new Date().toISOString() };
    const tags = image.tags.map((tag) => formatImageReference(parseImageReference(tag)));
    await deps.images.save(record, null, '');
    for (const tag of tags) await deps.images.save(record, tag, '');
    loaded.push({ id, tags });
  }
  return loaded;
}
