import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { familiarImageName, parseImageReference, StevedoreError } from '@stevedore/shared';
import { type Pack, pack } from 'tar-stream';
import { decompressed } from '../storage/extract/decompress.js';
import { readAll } from '../util/read-all.js';
import type { ContentStore } from './content/content-store.js';
import type { ImageRecord } from './image-store.js';

export interface SaveItem {
  image: ImageRecord;
  /** Canonical names to record (RepoTags); none when the image was named by ID. */
  tags: string[];
}

const MEDIA = {
  index: 'application/vnd.oci.image.index.v1+json',
  manifest: 'application/vnd.oci.image.manifest.v1+json',
  config: 'application/vnd.oci.image.config.v1+json',
  layer: 'application/vnd.oci.image.layer.v1.tar',
};

const digestOf = (data: Buffer) => `sha256:${createHash('sha256').update(data).digest('hex')}`;
const blobPath = (digest: string) => `blobs/sha256/${digest.slice('sha256:'.length)}`;

/** Where a layer's plain tar comes from (a kept blob, decompressed as it streams) and its size. */
interface LayerSource {
  blob: string;
  size: number;
}

/** The plain tar of a kept layer blob, as a stream. */
const layerTar = (content: ContentStore, blob: string) => decompressed(content.read(blob));

/**
 * Checks a layer blob unpacks to its diff ID and measures the tar (a tar entry needs its size
 * before its bytes): one streaming pass, nothing held in memory.
 */
async function measureLayer(
  content: ContentStore,
  blob: string,
  diffId: string,
  image: string,
): Promise<number> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of await layerTar(content, blob)) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  if (`sha256:${hash.digest('hex')}` !== diffId) {
    throw new StevedoreError('INTERNAL', `layer ${blob} does not unpack to its diff ID ${diffId}`, { image });
  }
  return size;
}

/**
 * `docker save`, in the layout Docker 25+ writes: an OCI image layout (index.json, blobs) plus
 * manifest.json, which every Docker version's `load` reads. Layers are the plain tars whose
 * digests are the config's diff IDs, made from the blobs as they came, so they match bit for bit.
 *
 * Everything is checked and measured before the first byte (a refusal is a clean error, not a
 * truncated archive); then the archive streams, layer by layer, without being held in memory.
 */
export async function saveArchive(content: ContentStore, items: readonly SaveItem[]): Promise<Readable> {
  const small = new Map<string, Buffer>();
  const layers = new Map<string, LayerSource>();
  const legacy: { Config: string; RepoTags: string[] | null; Layers: string[] }[] = [];
  const index: { mediaType: string; digest: string; size: number; annotations?: Record<string, string> }[] =
    [];
  for (const { image, tags } of items) {
    const diffIds = image.config.rootfs.diff_ids;
    if (!image.blobs || image.blobs.length !== diffIds.length) {
      throw new StevedoreError(
        'FAILED_PRECONDITION',
        `image ${image.id.slice(7, 19)} was stored before layer blobs were kept: pull it again to save it`,
        { image: image.id },
      );
    }
    const config = await readAll(content.read(image.id));
    small.set(blobPath(image.id), config);
    for (const [i, blob] of image.blobs.entries()) {
      const diffId = diffIds[i] as string;
      if (layers.has(blobPath(diffId))) continue;
      layers.set(blobPath(diffId), {
        blob: blob.digest,
        size: await measureLayer(content, blob.digest, diffId, image.id),
      });
    }
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MEDIA.manifest,
        config: { mediaType: MEDIA.config, digest: image.id, size: config.length },
        layers: diffIds.map((diffId) => ({
          mediaType: MEDIA.layer,
          digest: diffId,
          size: (layers.get(blobPath(diffId)) as LayerSource).size,
        })),
      }),
    );
    const manifestDigest = digestOf(manifest);
    small.set(blobPath(manifestDigest), manifest);
    const familiar = tags.map((tag) => familiarImageName(parseImageReference(tag)));
    legacy.push({
      Config: blobPath(image.id),
      RepoTags: familiar.length > 0 ? familiar : null,
      Layers: diffIds.map(blobPath),
    });
    const descriptor = { mediaType: MEDIA.manifest, digest: manifestDigest, size: manifest.length };
    if (tags.length === 0) index.push(descriptor);
    for (const tag of tags) {
      index.push({
        ...descriptor,
        annotations: {
          'io.containerd.image.name': tag,
          'org.opencontainers.image.ref.name': parseImageReference(tag).tag ?? 'latest',
        },
      });
    }
  }
  small.set(
    'index.json',
    Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MEDIA.index, manifests: index })),
  );
  small.set('manifest.json', Buffer.from(JSON.stringify(legacy)));
  small.set('oci-layout', Buffer.from(JSON.stringify({ imageLayoutVersion: '1.0.0' })));

  const archive = pack();
  writeEntries(archive, content, small, layers).catch((error: unknown) => archive.destroy(error as Error));
  // tar-stream's pack is a streamx stream; a Node stream is what HTTP responses and pipelines take.
  return Readable.from(archive);
}

async function writeEntries(
  archive: Pack,
  content: ContentStore,
  small: Map<string, Buffer>,
  layers: Map<string, LayerSource>,
): Promise<void> {
  const mtime = new Date(0);
  for (const name of ['blobs', 'blobs/sha256'])
    archive.entry({ name, type: 'directory', mode: 0o755, mtime });
  const names = [...small.keys(), ...layers.keys()].sort((a, b) => a.localeCompare(b));
  for (const name of names) {
    const data = small.get(name);
    if (data) {
      archive.entry({ name, mode: 0o644, mtime }, data);
      continue;
    }
    const layer = layers.get(name) as LayerSource;
    const entry = archive.entry({ name, mode: 0o644, mtime, size: layer.size });
    await pipeline(await layerTar(content, layer.blob), entry);
  }
  archive.finalize();
}
