import { closeSync, fstatSync, ftruncateSync, openSync, readSync, writeSync } from 'node:fs';
import { open } from 'node:fs/promises';

const MAGIC = 'SVUSAGE1';
export const RING_HEADER_BYTES = 64;

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

  /** Opens the ring at `path`, creating it (or re-creating it when its header does not match). */
  static openOrCreate(path: string, recordBytes: number, slots: number): RingFile {
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

/** The whole ring's records (without the header), read asynchronously; null when there is no valid ring. */
export async function readRing(path: string, recordBytes: number, slots: number): Promise<Buffer | null> {
  let file: Awaited<ReturnType<typeof open>>;
  try {
    file = await open(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  try {
    const buffer = Buffer.alloc(RING_HEADER_BYTES + recordBytes * slots);
    const { bytesRead } = await file.read(buffer, 0, buffer.length, 0);
    if (
      bytesRead < RING_HEADER_BYTES ||
      !buffer.subarray(0, RING_HEADER_BYTES).equals(header(recordBytes, slots))
    ) {
      return null;
    }
    return buffer.subarray(RING_HEADER_BYTES);
  } finally {
    await file.close();
  }
}

function header(recordBytes: number, slots: number): Buffer {
  const buffer = Buffer.alloc(RING_HEADER_BYTES);
  buffer.write(MAGIC, 0, 'ascii');
  buffer.writeUInt32LE(recordBytes, 8);
  buffer.writeUInt32LE(slots, 12);
  return buffer;
}
