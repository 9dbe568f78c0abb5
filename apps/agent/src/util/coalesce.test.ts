import assert from 'node:assert/strict';
import { test } from 'node:test';
import { coalesce } from './coalesce.js';

async function* chunks(sizes: number[]): AsyncGenerator<Uint8Array> {
  let value = 0;
  for (const size of sizes) yield Uint8Array.from({ length: size }, () => value++ % 251);
}

test('coalesce joins chunks into buffers of at least the minimum, keeping every byte in order', async () => {
  const out: Buffer[] = [];
  for await (const buffer of coalesce(chunks([3, 4, 2, 9, 1, 1]), 8)) out.push(buffer);
  assert.deepEqual(
    out.map((b) => b.length),
    [9, 9, 2],
  );
  const all = Buffer.concat(out);
  assert.deepEqual(
    [...all],
    Array.from({ length: 20 }, (_, i) => i % 251),
  );
});

test('coalesce gives each buffer memory of its own, so it can be transferred', async () => {
  for await (const buffer of coalesce(chunks([5, 5]), 4)) {
    assert.equal(buffer.byteOffset, 0);
    assert.equal(buffer.buffer.byteLength, buffer.length);
  }
});

test('coalesce of an empty stream yields nothing', async () => {
  const out: Buffer[] = [];
  for await (const buffer of coalesce(chunks([]), 4)) out.push(buffer);
  assert.equal(out.length, 0);
});
