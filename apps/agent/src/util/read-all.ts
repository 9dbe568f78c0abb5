import type { Readable } from 'node:stream';

/** Everything a stream yields, as one buffer (for small bodies: configs, cp and import archives). */
export async function readAll(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of stream) parts.push(chunk as Buffer);
  return Buffer.concat(parts);
}
