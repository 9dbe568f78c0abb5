import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { z } from 'zod';
import type { Logger } from '../../util/logger.js';
import { JsonStateFile } from './state-file.js';

const root = mkdtempSync(join(tmpdir(), 'stevedore-state-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** A logger that keeps its warnings (only `warn` is used). */
function recordingLog() {
  const warnings: string[] = [];
  const log = { warn: (_fields: unknown, message: string) => warnings.push(message) } as unknown as Logger;
  return { log, warnings };
}

const Numbers = z.array(z.number());

describe('JsonStateFile: history kept across restarts, never fatal', () => {
  test('saves one at a time, the newest value wins, and reads back', async () => {
    const file = new JsonStateFile(join(root, 'a', 'numbers.json'), Numbers);
    assert.equal(await file.load(), null, 'no file yet: nothing');
    for (let i = 1; i <= 20; i++) file.save([i]);
    await file.flush();
    assert.deepEqual(JSON.parse(readFileSync(file.path, 'utf8')), [20]);
    assert.deepEqual(await new JsonStateFile(file.path, Numbers).load(), [20]);
    assert.deepEqual(readdirSync(join(root, 'a')), ['numbers.json'], 'no temp file left');
  });

  test('a torn file, one of another shape, and a cut-off write are ignored with a warning', async () => {
    const dir = join(root, 'b');
    const { log, warnings } = recordingLog();
    const file = new JsonStateFile(join(dir, 'numbers.json'), Numbers, log);
    file.save([1]);
    await file.flush();
    writeFileSync(file.path, '[1, 2');
    assert.equal(await file.load(), null);
    writeFileSync(file.path, '{"numbers": [1]}');
    assert.equal(await file.load(), null);
    assert.equal(warnings.length, 2);
    assert.match(warnings[0] ?? '', /damaged/);
    // A write that a kill -9 cut off leaves a temp file beside it: removed at the next load.
    writeFileSync(join(dir, '.numbers.json.0123456789ab.tmp'), '[9');
    await file.load();
    assert.deepEqual(readdirSync(dir), ['numbers.json']);
  });
});
