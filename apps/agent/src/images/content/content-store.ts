import { createHash } from 'node:crypto';
import { createReadStream, openSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { StevedoreError } from '@stevedore/shared';
import { stageFile } from '../../util/atomic-file.js';
import { coalesce } from '../../util/coalesce.js';

const SHA256 = /^sha256:([a-f0-9]{64})$/;

export interface BlobInfo {
  digest: string;
  size: number;
}

/** A blob whose bytes are written and verified, being made durable (fsync, then rename). */
interface Committing {
  temp: string;
  size: number;
  done: Promise<void>;
}

/**
 * Content-addressed blobs under `<root>/blobs/sha256/<hex>` (containerd's layout). Data is written
 * to `<root>/ingest/` while hashed, checked against the expected digest and size, fsynced and only
 * then renamed into place, so a blob that exists on disk is always complete and correct.
 *
 * The fsync happens after `write` returns: a pull does not wait for it (it cost ~2 s of a 4–6 s
 * pull, measured in BENCHMARKS.md, because the disk is busy with the layers' files). Until it
 * is done the blob is served from its ingest file, and a crash meanwhile leaves no blob at all
 * (the ingest directory is cleared at start), never a torn one.
 */
export class ContentStore {
  private readonly blobs: string;
  private readonly ingest: string;
  /** Per digest, every write still being committed (two pulls may race on one blob). */
  private readonly committing = new Map<string, Set<Committing>>();

  constructor(
    root: string,
    private readonly onCommitFailure: (digest: string, error: unknown) => void = () => {},
  ) {
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
    const committing = this.latestCommitting(digest);
    if (committing) return { digest, size: committing.size };
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
    const committing = this.latestCommitting(digest);
    if (!committing) return createReadStream(this.pathOf(digest));
    // Opened now, synchronously, from wherever it is: an open descriptor reads on across the
    // rename, and the rename moves it atomically, so one of the two names always opens.
    try {
      return createReadStream('', { fd: openSync(committing.temp, 'r') });
    } catch {
      return createReadStream(this.pathOf(digest));
    }
  }

  /** Resolves once every blob written so far is durable (or its commit failed and it is gone). */
  async flush(): Promise<void> {
    await Promise.all([...this.committing.values()].flatMap((set) => [...set].map((c) => c.done)));
  }

  async delete(digest: string): Promise<void> {
    await Promise.all([...(this.committing.get(digest) ?? [])].map((c) => c.done));
    await unlink(this.pathOf(digest)).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
    });
  }

  async list(): Promise<BlobInfo[]> {
    await this.flush();
    const names = await readdir(this.blobs);
    return Promise.all(
      names.map(async (hex) => ({ digest: `sha256:${hex}`, size: (await stat(join(this.blobs, hex))).size })),
    );
  }

  private latestCommitting(digest: string): Committing | undefined {
    return [...(this.committing.get(digest) ?? [])].at(-1);
  }

  /**
   * Stores what `source` yields as the blob `digest`. Refuses (and keeps nothing) when the bytes
   * do not hash to it or their count differs from `expectedSize`. Two writers of one digest may
   * race: both verify their own copy, and the rename makes one of them win whole.
   */
  async write(digest: string, source: AsyncIterable<Uint8Array>, expectedSize?: number): Promise<BlobInfo> {
    const target = this.pathOf(digest);
    let size = 0;
    const staged = await stageFile(
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
    const committing: Committing = {
      temp: staged.temp,
      size,
      done: staged.commit().then(
        () => {},
        // The bytes were verified; only making them durable failed (a disk error). The blob is
        // then absent, as after a crash: a later pull fetches it again.
        (error: unknown) => this.onCommitFailure(digest, error),
      ),
    };
    const set = this.committing.get(digest) ?? new Set();
    this.committing.set(digest, set.add(committing));
    void committing.done.finally(() => {
      set.delete(committing);
      if (set.size === 0 && this.committing.get(digest) === set) this.committing.delete(digest);
    });
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
