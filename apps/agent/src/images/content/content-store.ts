import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { StevedoreError } from '@stevedore/shared';
import { commitFile } from '../../util/atomic-file.js';
import { coalesce } from '../../util/coalesce.js';

const SHA256 = /^sha256:([a-f0-9]{64})$/;

export interface BlobInfo {
  digest: string;
  size: number;
}

/**
 * Content-addressed blobs under `<root>/blobs/sha256/<hex>` (containerd's layout). Data is written
 * to `<root>/ingest/` while hashed, checked against the expected digest and size, fsynced and only
 * then renamed into place, so a blob that exists is always complete and correct.
 */
export class ContentStore {
  private readonly blobs: string;
  private readonly ingest: string;

  constructor(root: string) {
    this.blobs = join(root, 'blobs', 'sha256');
    this.ingest = join(root, 'ingest');
  }

  /** Creates the directories and removes ingest files a crash left behind. */
  async init(): Promise<void> {
    await mkdir(this.blobs, { recursive: true, mode: 0o700 });
    await rm(this.ingest, { recursive: true, force: true });
    await mkdir(this.ingest, { recursive: true, mode: 0o700 });
  }

  /** A private scratch directory under ingest/ (removed with any crash leftovers at the next start). */
  scratchDir(): Promise<string> {
    return mkdtemp(join(this.ingest, 'scratch-'));
  }

  pathOf(digest: string): string {
    return join(this.blobs, hexOf(digest));
  }

  async info(digest: string): Promise<BlobInfo | null> {
    try {
      return { digest, size: (await stat(this.pathOf(digest))).size };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  }

  async has(digest: string): Promise<boolean> {
    return (await this.info(digest)) !== null;
  }

  read(digest: string): Readable {
    return createReadStream(this.pathOf(digest));
  }

  async delete(digest: string): Promise<void> {
    await unlink(this.pathOf(digest)).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
    });
  }

  async list(): Promise<BlobInfo[]> {
    const names = await readdir(this.blobs);
    return Promise.all(
      names.map(async (hex) => ({ digest: `sha256:${hex}`, size: (await stat(join(this.blobs, hex))).size })),
    );
  }

  /**
   * Stores what `source` yields as the blob `digest`. Refuses (and keeps nothing) when the bytes
   * do not hash to it or their count differs from `expectedSize`. Two writers of one digest may
   * race: both verify their own copy, and the rename makes one of them win whole.
   */
  async write(digest: string, source: AsyncIterable<Uint8Array>, expectedSize?: number): Promise<BlobInfo> {
    const target = this.pathOf(digest);
    let size = 0;
    await commitFile(
      target,
      async (file) => {
        const hash = createHash('sha256');
        // In MiB pieces: one hash update and one write each, not one per socket read.
        for await (const chunk of coalesce(source, 1 << 20)) {
          hash.update(chunk);
          size += chunk.length;
          if (expectedSize !== undefined && size > expectedSize) {
            throw new StevedoreError(
              'INVALID_ARGUMENT',
              `blob ${digest} is larger than the ${expectedSize} bytes expected`,
              {
                digest,
              },
            );
          }
          await file.write(chunk);
        }
        const actual = `sha256:${hash.digest('hex')}`;
        if (actual !== digest) {
          throw new StevedoreError('INVALID_ARGUMENT', `digest mismatch: expected ${digest}, got ${actual}`, {
            digest,
            actual,
          });
        }
        if (expectedSize !== undefined && size !== expectedSize) {
          throw new StevedoreError(
            'INVALID_ARGUMENT',
            `blob ${digest} has ${size} bytes, expected ${expectedSize}`,
            {
              digest,
            },
          );
        }
      },
      { mode: 0o600, tempDir: this.ingest },
    );
    return { digest, size };
  }
}

function hexOf(digest: string): string {
  const match = SHA256.exec(digest);
  if (!match?.[1]) {
    throw new StevedoreError(
      'INVALID_ARGUMENT',
      `unsupported digest "${digest}": expected sha256:<64 hex digits>`,
      {
        digest,
      },
    );
  }
  return match[1];
}
