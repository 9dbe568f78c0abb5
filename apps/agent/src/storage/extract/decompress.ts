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
 * The uncompressed content of a layer blob, whatever its compression: gzip and zstd are recognized
 * by their magic bytes (media types lie often enough), anything else is taken as a plain tar.
 */
export async function decompressed(source: Readable): Promise<Readable> {
  const head = await readHead(source, 4);
  const startsWith = (magic: number[]) => magic.every((byte, i) => head[i] === byte);
  const decoder = startsWith(GZIP_MAGIC)
    ? createGunzip()
    : startsWith(ZSTD_MAGIC)
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
