import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { type ImageConfig, StevedoreError } from '@stevedore/shared';
import { goArch } from '../host/arch.js';
import { applyLayer } from '../storage/extract/apply-layer.js';
import { decompressed } from '../storage/extract/decompress.js';
import { chainIdOf, type Overlay2Store } from '../storage/overlay2/layer-store.js';
import { crashPoint } from '../util/crash-point.js';
import type { ContentStore } from './content/content-store.js';
import { canonicalTag } from './image-names.js';
import type { ImageStore } from './image-store.js';

export interface CommitDeps {
  content: ContentStore;
  layers: Overlay2Store;
  images: ImageStore;
  /** Scratch space on the data-root's filesystem (for the layer spool). */
  spoolDir: string;
}

/** A new image: a parent image plus one layer (a tar in Docker layer format), with its config. */
export interface CommitOptions {
  /** null: a base image (`docker import`). */
  parentId: string | null;
  layer: Readable;
  config: NonNullable<ImageConfig['config']>;
  comment: string;
  author: string;
  createdBy: string;
  tag: string | null;
}

/**
 * `docker commit` and `docker import`: the tar is spooled once to learn its diff ID, then unpacked
 * into the layer store; the image record names the parent's layers plus this one. Resolves the ID.
 * The caller holds a lease meanwhile, so the new blob and layer are not collected as leftovers.
 */
export async function commitImage(deps: CommitDeps, options: CommitOptions): Promise<string> {
  const parent = options.parentId ? await deps.images.get(options.parentId) : null;
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
  const spool = join(deps.spoolDir, `commit-${randomBytes(8).toString('hex')}.tar`);
  await mkdir(deps.spoolDir, { recursive: true, mode: 0o700 });
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
    if (!(await deps.content.has(diffId))) await deps.content.write(diffId, createReadStream(spool), size);
    const parentTop = parent?.chainIds.at(-1) ?? null;
    const chainId = chainIdOf(parentTop, diffId);
    await deps.layers.createLayer(chainId, parentTop, async (diffDir) => {
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
    await deps.content.write(id, Readable.from([body]), body.length);
    await deps.images.save(
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
    return id;
  } finally {
    await rm(spool, { force: true });
  }
}
