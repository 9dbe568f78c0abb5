import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { LogLine } from '@stevedore/shared';
import { streamLog } from './log-stream.js';

const dir = mkdtempSync(join(tmpdir(), 'log-stream-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const T = (i: number) => `2026-11-22T14:04:${String(10 + (i % 40)).padStart(2, '0')}.000000001+00:00`;
const records = (from: number, to: number) =>
  Array.from({ length: to - from }, (_, k) => `${T(from + k)} stdout F line ${from + k}\n`).join('');

async function collect(logPath: string, maxFiles: number, tail: number | null): Promise<LogLine[]> {
  const out: LogLine[] = [];
  const query = { tail, since: null, until: null };
  for await (const batch of streamLog({ logPath, maxFiles, query, follow: null })) {
    assert.ok(Buffer.byteLength(batch.map((l) => l.text).join('')) <= 64 * 1024, 'a batch holds one read');
    out.push(...batch);
  }
  return out;
}

test('rotated files are read oldest first, then the current one, in bounded batches', async () => {
  const log = join(dir, 'a.log');
  writeFileSync(`${log}.2`, records(0, 10));
  writeFileSync(`${log}.1`, records(10, 20));
  writeFileSync(log, records(20, 200_000));
  const lines = await collect(log, 3, null);
  assert.equal(lines.length, 200_000);
  assert.equal(lines[0]?.text, 'line 0');
  assert.equal(lines.at(-1)?.text, 'line 199999');
});

test('--tail reads from the end, across rotated files, and joins partial records', async () => {
  const log = join(dir, 'b.log');
  writeFileSync(`${log}.1`, records(0, 5));
  writeFileSync(
    log,
    `${T(1)} stdout P par\n${T(1)} stdout F tial\n${records(5, 7)}${T(9)} stdout F unfinished`,
  );
  assert.deepEqual(
    (await collect(log, 2, 3)).map((l) => l.text),
    ['partial', 'line 5', 'line 6'],
  );
  assert.deepEqual(
    (await collect(log, 2, 5)).map((l) => l.text),
    ['line 3', 'line 4', 'partial', 'line 5', 'line 6'],
  );
  assert.equal((await collect(log, 2, 100)).length, 8);
  assert.deepEqual(await collect(log, 2, 0), []);
});
