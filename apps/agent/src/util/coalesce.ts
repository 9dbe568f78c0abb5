/**
 * Joins a stream's chunks into buffers of at least `minBytes` (the last one may be shorter). A
 * socket hands out 16–64 KiB at a time; every chunk that crosses to a worker thread or into a file
 * write costs a message or a thread-pool round trip, so a 300 MB pull is better carried in MiBs.
 * Each buffer owns its memory (it can be transferred to a worker).
 */
export async function* coalesce(source: AsyncIterable<Uint8Array>, minBytes: number): AsyncGenerator<Buffer> {
  let parts: Uint8Array[] = [];
  let length = 0;
  for await (const chunk of source) {
    parts.push(chunk);
    length += chunk.length;
    if (length >= minBytes) {
      yield ownBuffer(parts, length);
      parts = [];
      length = 0;
    }
  }
  if (length > 0) yield ownBuffer(parts, length);
}

function ownBuffer(parts: Uint8Array[], length: number): Buffer {
  const buffer = Buffer.allocUnsafeSlow(length);
  let offset = 0;
  for (const part of parts) {
    buffer.set(part, offset);
    offset += part.length;
  }
  return buffer;
}
