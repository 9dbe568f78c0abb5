import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { localTar } from './local-tar.js';

test('what tar packed is all there when it is read only after tar has exited', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'stevedore-local-tar-'));
  try {
    writeFileSync(join(dir, 'small.txt'), 'from the host\n');
    const pack = localTar(['-C', dir, '-cf', '-', '--', 'small.txt'], false);
    await pack.done;
    await sleep(100); // the request that carries the archive may open this late
    const chunks: Buffer[] = [];
    for await (const chunk of pack.output!) chunks.push(chunk as Buffer);
    const archive = Buffer.concat(chunks);
    assert.equal(archive.length, 10240, 'one record: header, content, end blocks');
    assert.match(archive.toString('latin1'), /small\.txt/);
    assert.ok(archive.includes('from the host\n'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a tar that fails says why', async () => {
  const pack = localTar(['-C', '/nonexistent-stevedore-dir', '-cf', '-', '--', 'x'], false);
  pack.output!.resume();
  await assert.rejects(pack.done, /tar: .*nonexistent-stevedore-dir/);
});
