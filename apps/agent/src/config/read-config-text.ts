import { constants } from 'node:fs';
import { open } from 'node:fs/promises';

/** Larger than any real daemon.json by far; a bigger file is a mistake, not a config. */
export const MAX_CONFIG_BYTES = 1024 * 1024;

/**
 * The text of the config file, or null when it does not exist. Opened without blocking and
 * checked before reading: a directory, fifo or device (or a file over 1 MiB) is refused with a
 * message that says what it is, rather than hanging the agent or reading a device forever.
 */
export async function readConfigText(path: string): Promise<string | null> {
  const handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK).catch(
    (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return null;
      throw error;
    },
  );
  if (handle === null) return null;
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) throw new Error(`${path} is ${kindOf(stats)}, not a regular file`);
    if (stats.size > MAX_CONFIG_BYTES) {
      throw new Error(
        `${path} is ${stats.size} bytes; a config file may be at most ${MAX_CONFIG_BYTES} bytes`,
      );
    }
    return await handle.readFile('utf8');
  } finally {
    await handle.close();
  }
}

function kindOf(stats: import('node:fs').Stats): string {
  if (stats.isDirectory()) return 'a directory';
  if (stats.isFIFO()) return 'a named pipe';
  if (stats.isSocket()) return 'a socket';
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return 'a device';
  return 'not a regular file';
}
