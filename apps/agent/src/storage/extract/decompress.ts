import { PassThrough, type Readable, Transform } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { Decompress } from 'fzstd';

const GZIP_MAGIC = [0x1f, 0x8b];
const ZSTD_MAGIC = [0x28, 0xb5, 0x2f, 0xfd];

/** Streaming zstd decompression (Node 20's zlib has none) on the pure-JS fzstd decoder. */
function createZstdDecompress(): Transform {
  let decoder: Decompress;
  const transform = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      try {
        decoder.push(chunk);
        callback();
      } catch (error) {
        callback(error as Error);
      }
    },
    flush(callback) {
      try {
        decoder.push(new Uint8Array(0), true);
        callback();
      } catch (error) {
        callback(error as Error);
      }
    },
  });
  decoder = new Decompress((data) => {
    transform.push(Buffer.from(data));
  });
  return transform;
}

/**
 * A layer blob's compression, from its first bytes: gzip and zstd are recognized by their magic
 * (media types lie often enough), anything else is taken as a plain tar.
 */
export function compressionOf(head: Uint8Array): 'gzip' | 'zstd' | 'none' {
  const startsWith = (magic: number[]) => magic.every((byte, i) => head[i] === byte);
  if (startsWith(GZIP_MAGIC)) return 'gzip';
  if (startsWith(ZSTD_MAGIC)) return 'zstd';
  return 'none';
}

/** The uncompressed content of a layer blob, whatever its compression (see compressionOf). */
export async function decompressed(source: Readable): Promise<Readable> {
  const head = await readHead(source, 4);
  const compression = compressionOf(head);
  const decoder =
    compression === 'gzip'
      ? createGunzip({ chunkSize: 256 * 1024 })
      : compression === 'zstd'
        ? createZstdDecompress()
        : new PassThrough();
  decoder.write(head);
  source.on('error', (error) => decoder.destroy(error));
  return source.pipe(decoder);
}

/** Reads the first `count` bytes (fewer at end of stream) and leaves the stream paused after them. */
async function readHead(source: Readable, count: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  let length = 0;
  for await (const chunk of source.iterator({ destroyOnReturn: false })) {
    parts.push(chunk as Buffer);
    length += (chunk as Buffer).length;
    if (length >= count) break;
  }
  const all = Buffer.concat(parts);
  if (all.length > count) source.unshift(all.subarray(count));
  return all.subarray(0, count);
}
