import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { isStevedoreError } from '@stevedore/shared';
import { TarGate } from './tar-gate.js';

/** What comes out of the gate for `bytes` fed in `chunkSize` pieces, or the error it refused with. */
async function throughGate(bytes: Buffer, chunkSize: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += chunkSize) chunks.push(bytes.subarray(i, i + chunkSize));
  const out: Buffer[] = [];
  for await (const piece of Readable.from(chunks).pipe(new TarGate('the body'))) out.push(piece as Buffer);
  return Buffer.concat(out);
}

/** Archives GNU tar writes in each of its formats: long names, a symlink, an empty file. */
function gnuTarArchives(): Map<string, Buffer> {
  const dir = mkdtempSync(join(tmpdir(), 'tar-gate-'));
  try {
    const deep = join(dir, 'src', 'd'.repeat(120));
    mkdirSync(deep, { recursive: true });
    writeFileSync(join(deep, 'f'.repeat(150)), 'hello\n');
    writeFileSync(join(dir, 'src', 'empty'), '');
    writeFileSync(join(dir, 'src', 'big'), Buffer.alloc(70_000, 7));
    symlinkSync('/etc/passwd', join(dir, 'src', 'link'));
    const archives = new Map<string, Buffer>();
    for (const format of ['gnu', 'oldgnu', 'posix']) {
      const file = join(dir, `${format}.tar`);
      const made = spawnSync('tar', [`--format=${format}`, '-C', dir, '-cf', file, 'src']);
      assert.equal(made.status, 0, String(made.stderr));
      archives.set(format, readFileSync(file));
    }
    return archives;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('archives of every GNU tar format pass unchanged, whatever the chunk sizes', async () => {
  for (const [format, archive] of gnuTarArchives()) {
    for (const chunkSize of [1, 77, 511, 512, 513, 65_536]) {
      assert.ok(
        (await throughGate(archive, chunkSize)).equals(archive),
        `${format} in ${chunkSize}-byte chunks`,
      );
    }
  }
});

test('an empty body and a gzip body pass (the consumer judges those)', async () => {
  assert.equal((await throughGate(Buffer.alloc(0), 10)).length, 0);
  const gzip = gzipSync(Buffer.from('not even a tar inside'));
  assert.ok((await throughGate(gzip, 3)).equals(gzip));
});

test('a corrupt, truncated or foreign body is refused as INVALID_ARGUMENT before the bad header passes', async () => {
  const archive = gnuTarArchives().get('posix') as Buffer;
  const badChecksum = Buffer.from(archive);
  badChecksum[3] = (badChecksum[3] as number) ^ 0xff;
  const badSize = Buffer.from(archive);
  badSize.write('9', 124, 'latin1');
  const cases: [string, Buffer, RegExp][] = [
    ['checksum', badChecksum, /header checksum mismatch \(at byte 0\)/],
    ['size field', badSize, /header checksum mismatch|size field/],
    ['truncated', archive.subarray(0, 1500), /truncated/],
    ['json', Buffer.from(JSON.stringify({ not: 'a tar' }).repeat(30)), /not a valid tar archive/],
    ['three bytes', Buffer.from('abc'), /only 3 bytes long/],
  ];
  for (const [name, body, message] of cases) {
    const passed: Buffer[] = [];
    const gate = new TarGate('the body');
    gate.on('data', (piece: Buffer) => passed.push(piece));
    const error = await new Promise<unknown>((resolve) => {
      gate.once('error', resolve);
      gate.once('end', () => resolve(null));
      gate.end(body);
    });
    assert.ok(isStevedoreError(error) && error.code === 'INVALID_ARGUMENT', `${name}: ${String(error)}`);
    assert.match((error as Error).message, message, name);
    assert.equal(gate.failure, error, name);
    if (name === 'checksum' || name === 'json')
      assert.equal(Buffer.concat(passed).length, 0, `${name}: nothing passed`);
  }
});
