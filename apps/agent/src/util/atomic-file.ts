import { randomBytes } from 'node:crypto';
import { type FileHandle, open, readdir, rename, rm, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** The temp file a write of `path` goes through: hidden, beside its target (or in `dir`). */
function tempPathFor(path: string, dir: string): string {
  return join(dir, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
}

const TEMP_FILE = /^\..+\.[0-9a-f]{12}\.tmp$/;

/**
 * Removes the temp files of writes to `dir` that a crash cut off (a write that finishes renames
 * its temp file away). Only for start-up, before anything writes there again.
 */
export async function removeInterruptedWrites(dir: string): Promise<void> {
  const names = await readdir(dir).catch(() => [] as string[]);
  await Promise.all(
    names.filter((name) => TEMP_FILE.test(name)).map((name) => rm(join(dir, name), { force: true })),
  );
}

/**
 * Replaces `path` with `data` so readers see the old or the new content, never a torn write:
 * write a temp file beside it, fsync, rename over, then fsync the directory so the rename survives
 * a crash.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array, mode = 0o600): Promise<void> {
  await commitFile(path, (file) => file.writeFile(data), { mode });
}

/**
 * Replaces `path` so readers (and a restarted agent) see the old or the new content, without
 * fsync: for runtime state under the exec-root, which a machine crash loses anyway.
 */
export async function replaceFile(path: string, data: string): Promise<void> {
  const temp = tempPathFor(path, dirname(path));
  await writeFile(temp, data, { mode: 0o600 });
  await rename(temp, path);
}

/**
 * The general form: `fill` writes a temp file (in `tempDir`, default beside `path`; same
 * filesystem so the rename is atomic), which is fsynced and renamed to `path` only if `fill`
 * succeeds; on failure the temp file is removed and nothing appears at `path`.
 */
export async function commitFile(
  path: string,
  fill: (file: FileHandle) => Promise<void>,
  options: { mode?: number; tempDir?: string } = {},
): Promise<void> {
  await (await stageFile(path, fill, options)).commit();
}

export interface StagedFile {
  /** Where the complete content is until `commit` renames it to its path. */
  temp: string;
  /** fsync, rename into place, fsync the directory; on failure the temp file is removed. */
  commit(): Promise<void>;
}

/**
 * `commitFile` in two steps, for a caller that can use the written content before it is durable
 * (and so before it appears at `path`): `fill` writes the temp file, `commit` makes it durable.
 */
export async function stageFile(
  path: string,
  fill: (file: FileHandle) => Promise<void>,
  options: { mode?: number; tempDir?: string } = {},
): Promise<StagedFile> {
  const mode = options.mode ?? 0o600;
  const dir = dirname(path);
  const temp = tempPathFor(path, options.tempDir ?? dir);
  const file = await open(temp, 'wx', mode);
  // Only after a failed write, whose error the caller gets. A temp file this cannot remove is
  // never read as state (only `path` is), and its name says it is an interrupted write.
  const discard = async () => {
    await file.close().catch(() => undefined);
    await unlink(temp).catch(() => undefined);
  };
  try {
    await fill(file);
    await file.chmod(mode);
  } catch (error) {
    await discard();
    throw error;
  }
  return {
    temp,
    commit: async () => {
      try {
        await file.sync();
        await file.close();
        await rename(temp, path);
      } catch (error) {
        await discard();
        throw error;
      }
      await syncDirectory(dir);
    },
  };
}

/** fsyncs a directory so renames and creations in it survive a crash. */
export async function syncDirectory(dir: string): Promise<void> {
  const directory = await open(dir, 'r');
  try {
    await directory.sync();
  } finally {
    await directory.close();
  }
}
