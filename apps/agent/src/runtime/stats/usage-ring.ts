import {
  closeSync,
  fstatSync,
  fsyncSync,
  ftruncateSync,
  openSync,
  readSync,
  renameSync,
  writeSync,
} from 'node:fs';
import { open } from 'node:fs/promises';

const MAGIC = 'SVUSAGE1';
export const RING_HEADER_BYTES = 64;

/**
 * Turns the records of a ring written with another record size (an older layout) into records of
 * the current size, slot for slot; null when that size is no known layout.
 */
export type RingUpgrade = (recordBytes: number, records: Buffer) => Buffer | null;

/**
 * A file of `slots` fixed-size records after a 64-byte header (magic, record size, slot count).
 * Records are written in place with one pwrite each, so a crash can tear at most the record being
 * written. The file is sparse: it takes disk only for the slots written so far, up to
 * header + slots × recordBytes.
 */
export class RingFile {
  private constructor(
    private readonly fd: number,
    readonly recordBytes: number,
    readonly slots: number,
  ) {}

  /**
   * Opens the ring at `path`, creating it (or re-creating it when its header does not match).
   * A ring of an older record layout that `upgrade` knows is rewritten in the current one first
   * (into a new file renamed over the old, so a crash leaves one or the other whole).
   */
  static openOrCreate(path: string, recordBytes: number, slots: number, upgrade?: RingUpgrade): RingFile {
    if (upgrade) upgradeInPlace(path, recordBytes, slots, upgrade);
    let fd: number;
    try {
      fd = openSync(path, 'r+');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      fd = openSync(path, 'w+', 0o600);
    }
    try {
      return RingFile.adopt(fd, recordBytes, slots);
    } catch (error) {
      closeSync(fd);
      throw error;
    }
  }

  private static adopt(fd: number, recordBytes: number, slots: number): RingFile {
    const expected = header(recordBytes, slots);
    const found = Buffer.alloc(RING_HEADER_BYTES);
    const length = readSync(fd, found, 0, RING_HEADER_BYTES, 0);
    if (length < RING_HEADER_BYTES || !found.equals(expected)) {
      // New, or torn while being created, or another layout: nothing in it can be trusted.
      ftruncateSync(fd, 0);
      writeSync(fd, expected, 0, RING_HEADER_BYTES, 0);
    }
    const size = RING_HEADER_BYTES + recordBytes * slots;
    if (fstatSync(fd).size !== size) ftruncateSync(fd, size);
    return new RingFile(fd, recordBytes, slots);
  }

  /** Writes `record` (recordBytes long) into slot `index mod slots`. */
  write(index: number, record: Buffer): void {
    const slot = index % this.slots;
    writeSync(this.fd, record, 0, this.recordBytes, RING_HEADER_BYTES + slot * this.recordBytes);
  }

  /** Reads `count` consecutive slots from `index mod slots` (they must not wrap). */
  read(index: number, count: number, into: Buffer = Buffer.alloc(count * this.recordBytes)): Buffer {
    const slot = index % this.slots;
    if (slot + count > this.slots)
      throw new RangeError(`slots ${slot}+${count} wrap the ring of ${this.slots}`);
    const length = readSync(
      this.fd,
      into,
      0,
      count * this.recordBytes,
      RING_HEADER_BYTES + slot * this.recordBytes,
    );
    if (length < count * this.recordBytes) into.fill(0, length);
    return into;
  }

  close(): void {
    closeSync(this.fd);
  }
}

/**
 * The whole ring's records (without the header), read asynchronously; null when there is no valid
 * ring. A ring of an older layout that `upgrade` knows is returned converted (the file is left as it is).
 */
export async function readRing(
  path: string,
  recordBytes: number,
  slots: number,
  upgrade?: RingUpgrade,
): Promise<Buffer | null> {
  let file: Awaited<ReturnType<typeof open>>;
  try {
    file = await open(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  try {
    const head = Buffer.alloc(RING_HEADER_BYTES);
    const { bytesRead } = await file.read(head, 0, RING_HEADER_BYTES, 0);
    const found = bytesRead === RING_HEADER_BYTES ? parseHeader(head) : null;
    if (!found || found.slots !== slots) return null;
    if (found.recordBytes !== recordBytes && !upgrade) return null;
    const buffer = Buffer.alloc(found.recordBytes * slots);
    const { bytesRead: length } = await file.read(buffer, 0, buffer.length, RING_HEADER_BYTES);
    buffer.fill(0, length);
    return found.recordBytes === recordBytes ? buffer : (upgrade?.(found.recordBytes, buffer) ?? null);
  } finally {
    await file.close();
  }
}

/** Rewrites the ring at `path` in the current layout when it holds an older one `upgrade` knows. */
function upgradeInPlace(path: string, recordBytes: number, slots: number, upgrade: RingUpgrade): void {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  let records: Buffer | null = null;
  try {
    const head = Buffer.alloc(RING_HEADER_BYTES);
    const found =
      readSync(fd, head, 0, RING_HEADER_BYTES, 0) === RING_HEADER_BYTES ? parseHeader(head) : null;
    if (!found || found.slots !== slots || found.recordBytes === recordBytes) return;
    const old = Buffer.alloc(found.recordBytes * slots);
    old.fill(0, readSync(fd, old, 0, old.length, RING_HEADER_BYTES));
    records = upgrade(found.recordBytes, old);
  } finally {
    closeSync(fd);
  }
  if (!records) return; // an unknown layout: openOrCreate starts the ring afresh
  const next = `${path}.upgrade`;
  const out = openSync(next, 'w', 0o600);
  try {
    writeSync(out, header(recordBytes, slots), 0, RING_HEADER_BYTES, 0);
    writeSync(out, records, 0, records.length, RING_HEADER_BYTES);
    fsyncSync(out);
  } finally {
    closeSync(out);
  }
  renameSync(next, path);
}

function parseHeader(buffer: Buffer): { recordBytes: number; slots: number } | null {
  if (buffer.toString('ascii', 0, MAGIC.length) !== MAGIC) return null;
  return { recordBytes: buffer.readUInt32LE(8), slots: buffer.readUInt32LE(12) };
}

function header(recordBytes: number, slots: number): Buffer {
  const buffer = Buffer.alloc(RING_HEADER_BYTES);
  buffer.write(MAGIC, 0, 'ascii');
  buffer.writeUInt32LE(recordBytes, 8);
  buffer.writeUInt32LE(slots, 12);
  return buffer;
}
