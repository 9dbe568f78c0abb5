import { Transform, type TransformCallback } from 'node:stream';
import { StevedoreError } from '@stevedore/shared';

const BLOCK = 512;
const SIZE_FIELD = { offset: 124, length: 12 };
const CHECKSUM_FIELD = { offset: 148, length: 8 };
const MAGIC_OFFSET = 257;
const USTAR = Buffer.from('ustar\0', 'latin1');
const GNU = Buffer.from('ustar  \0', 'latin1');
/** Compressed bodies the consumers unpack themselves: their bytes are passed on unchecked. */
const COMPRESSED = [Buffer.from([0x1f, 0x8b]), Buffer.from([0x28, 0xb5, 0x2f, 0xfd])];
const SNIFF_BYTES = 4;

/**
 * Passes a tar archive through and refuses a malformed one before its consumer sees the bad
 * header: every header block's checksum, format magic and size field are checked, and a body that
 * ends inside an entry is refused. The first header is checked before any byte is passed on, so a
 * body that is not a tar at all is refused before extraction begins. gzip and zstd bodies pass
 * unchecked (the consumer decompresses them and reports its own errors). Holds < 512 bytes.
 */
export class TarGate extends Transform {
  /** Set when the body was refused: the route reports it whatever the consumer made of it. */
  failure: StevedoreError | null = null;
  private mode: 'sniff' | 'tar' | 'compressed' = 'sniff';
  private held: Buffer = Buffer.alloc(0);
  /** Entry data (with its padding to the block size) still to pass before the next header. */
  private dataLeft = 0;
  /** Archive bytes passed on so far: where the next byte sits in the body. */
  private offset = 0;

  constructor(private readonly what: string) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    if (this.mode === 'compressed') {
      callback(null, chunk);
      return;
    }
    let buffer = this.held.length > 0 ? Buffer.concat([this.held, chunk]) : chunk;
    if (this.mode === 'sniff') {
      if (buffer.length < SNIFF_BYTES) {
        this.held = buffer;
        callback();
        return;
      }
      if (COMPRESSED.some((magic) => buffer.subarray(0, magic.length).equals(magic))) {
        this.mode = 'compressed';
        this.held = Buffer.alloc(0);
        callback(null, buffer);
        return;
      }
      this.mode = 'tar';
    }
    let position = 0;
    while (position < buffer.length) {
      if (this.dataLeft > 0) {
        const take = Math.min(this.dataLeft, buffer.length - position);
        this.pass(buffer.subarray(position, position + take));
        this.dataLeft -= take;
        position += take;
        continue;
      }
      if (buffer.length - position < BLOCK) break;
      const header = buffer.subarray(position, position + BLOCK);
      const problem = headerProblem(header);
      if (problem !== null) {
        callback(this.refuse(problem));
        return;
      }
      this.dataLeft = roundUp(entrySize(header));
      this.pass(header);
      position += BLOCK;
    }
    buffer = buffer.subarray(position);
    this.held = Buffer.from(buffer);
    callback();
  }

  override _flush(callback: TransformCallback): void {
    if (this.mode === 'sniff' && this.held.length > 0) {
      // Fewer bytes than a magic number: no tar either.
      callback(this.refuse(`it is only ${this.held.length} bytes long`));
      return;
    }
    if (this.mode === 'tar' && (this.held.length > 0 || this.dataLeft > 0)) {
      callback(this.refuse('it ends in the middle of an entry (truncated)'));
      return;
    }
    callback();
  }

  private pass(bytes: Buffer): void {
    this.offset += bytes.length;
    this.push(bytes);
  }

  private refuse(problem: string): StevedoreError {
    this.failure = new StevedoreError(
      'INVALID_ARGUMENT',
      `${this.what} is not a valid tar archive: ${problem} (at byte ${this.offset})`,
      { offset: this.offset },
    );
    return this.failure;
  }
}

/** Why a header block is not one, or null when it is (an all-zero block is the end marker). */
function headerProblem(header: Buffer): string | null {
  if (header.every((byte) => byte === 0)) return null;
  const stored = octal(header, CHECKSUM_FIELD.offset, CHECKSUM_FIELD.length);
  if (stored === null) return 'the header checksum field is not a number';
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const byte =
      i >= CHECKSUM_FIELD.offset && i < CHECKSUM_FIELD.offset + CHECKSUM_FIELD.length
        ? 0x20
        : (header[i] as number);
    unsigned += byte;
    signed += byte > 127 ? byte - 256 : byte;
  }
  if (stored !== unsigned && stored !== signed) return 'header checksum mismatch';
  const magic = header.subarray(MAGIC_OFFSET, MAGIC_OFFSET + GNU.length);
  if (!magic.subarray(0, USTAR.length).equals(USTAR) && !magic.equals(GNU)) {
    return 'unknown header format (neither ustar nor GNU)';
  }
  if (entrySizeOrNull(header) === null) return 'the entry size field is not a number';
  return null;
}

function entrySize(header: Buffer): number {
  return header.every((byte) => byte === 0) ? 0 : (entrySizeOrNull(header) ?? 0);
}

function entrySizeOrNull(header: Buffer): number | null {
  const first = header[SIZE_FIELD.offset] as number;
  if (first & 0x80) {
    // GNU base-256: a big-endian number in the remaining bytes (sizes beyond 8 GiB).
    let value = first & 0x7f;
    for (let i = 1; i < SIZE_FIELD.length; i++)
      value = value * 256 + (header[SIZE_FIELD.offset + i] as number);
    return Number.isSafeInteger(value) ? value : null;
  }
  return octal(header, SIZE_FIELD.offset, SIZE_FIELD.length);
}

/** An octal field: optional leading spaces, digits, then NUL or space padding; empty means 0. */
function octal(buffer: Buffer, offset: number, length: number): number | null {
  const text = buffer.toString('latin1', offset, offset + length);
  const match = /^ *([0-7]*)[ \0]*$/.exec(text);
  if (!match) return null;
  return match[1] ? Number.parseInt(match[1], 8) : 0;
}

function roundUp(size: number): number {
  return Math.ceil(size / BLOCK) * BLOCK;
}
