import assert from 'node:assert/strict';
import { test } from 'node:test';
import { base64ToBytes, SerialWriter, takeChunk, textToBase64, WRITE_CHUNK } from './terminal-io.js';

test('text survives the base64 round trip, multi-byte characters included', () => {
  const text = 'echo héllo → 🐳\r';
  assert.equal(new TextDecoder().decode(base64ToBytes(textToBase64(text))), text);
});

test('a large paste is cut into chunks without splitting a surrogate pair', () => {
  const text = `${'a'.repeat(WRITE_CHUNK - 1)}🐳tail`;
  const first = takeChunk(text);
  assert.equal(first.length, WRITE_CHUNK - 1);
  assert.equal(takeChunk(text.slice(first.length)), '🐳tail');
});

test('writes go one request at a time, in order, joining what was typed meanwhile', async () => {
  const sent: string[] = [];
  let release: (() => void) | null = null;
  const writer = new SerialWriter(
    async (text) => {
      sent.push(text);
      await new Promise<void>((resolve) => {
        release = resolve;
      });
    },
    (error) => assert.fail(String(error)),
  );
  writer.write('l');
  writer.write('s');
  writer.write('\r');
  assert.deepEqual(sent, ['l'], 'one request in flight');
  (release as unknown as () => void)();
  await new Promise((r) => setTimeout(r, 0));
  assert.deepEqual(sent, ['l', 's\r']);
  (release as unknown as () => void)();
});
