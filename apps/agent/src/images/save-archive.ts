import { createHash } from 'node:crypto';
import { familiarImageName, parseImageReference, StevedoreError } from '@stevedore/shared';
import { pack } from 'tar-stream';
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

/**
 * `docker save`, in the layout Docker 25+ writes: an OCI image layout (index.json, blobs) plus
 * manifest.json, which every Docker version's `load` reads. Layers are the plain tars whose
 * digests are the config's diff IDs, made from the blobs as they came, so they match bit for bit.
 */
export async function saveArchive(content: ContentStore, items: readonly SaveItem[]): Promise<Buffer> {
  const files = new Map<string, Buffer>();
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
    files.set(blobPath(image.id), config);
    for (const [i, blob] of image.blobs.entries()) {
      const diffId = diffIds[i] as string;
      if (files.has(blobPath(diffId))) continue;
      const tar = await readAll(await decompressed(content.read(blob.digest)));
      if (digestOf(tar) !== diffId) {
        throw new StevedoreError(
          'INTERNAL',
          `layer ${blob.digest} does not unpack to its diff ID ${diffId}`,
          {
            image: image.id,
          },
        );
      }
      files.set(blobPath(diffId), tar);
    }
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MEDIA.manifest,
        config: { mediaType: MEDIA.config, digest: image.id, size: config.length },
        layers: diffIds.map((diffId) => ({
          mediaType: MEDIA.layer,
          digest: diffId,
          size: (files.get(blobPath(diffId)) as Buffer).length,
        })),
      }),
    );
    const manifestDigest = digestOf(manifest);
    files.set(blobPath(manifestDigest), manifest);
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
  files.set(
    'index.json',
    Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MEDIA.index, manifests: index })),
  );
  files.set('manifest.json', Buffer.from(JSON.stringify(legacy)));
  files.set('oci-layout', Buffer.from(JSON.stringify({ imageLayoutVersion: '1.0.0' })));
  return tarOf(files);
}

async function tarOf(files: Map<string, Buffer>): Promise<Buffer> {
  const archive = pack();
  const parts: Buffer[] = [];
  archive.on('data', (chunk: unknown) => parts.push(chunk as Buffer));
  const done = new Promise<void>((resolve, reject) => {
    archive.on('end', () => resolve());
    archive.on('error', reject);
  });
  const mtime = new Date(0);
  const directories = ['blobs', 'blobs/sha256'];
  for (const name of directories) archive.entry({ name, type: 'directory', mode: 0o755, mtime });
  for (const [name, data] of [...files.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    archive.entry({ name, mode: 0o644, mtime }, data);
  }
  archive.finalize();
  await done;
  return Buffer.concat(parts);
}
