import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { filesDeleted, median, syncAndSettle, table } from './common.mjs';

export async function benchExtract() {
  const { applyLayer } = await import('../../../apps/agent/src/storage/extract/apply-layer.ts');
  const { buildLayerTar } = await import('../../../apps/agent/test/harness/test-images.ts');
  const scratch = mkdtempSync(join(tmpdir(), 'stevedore-bench-extract-'));
  try {
    // The pull benchmark's layer shape: ~50 MB of 2-64 KiB files in 64 directories.
    const entries = [];
    let bytes = 0;
    for (let f = 0; bytes < 50 * 1024 * 1024; f++) {
      const size = 2048 + ((f * 7919) % (62 * 1024));
      const content = Buffer.concat([randomBytes(size >> 1), Buffer.alloc(size - (size >> 1), `file ${f} `)]);
      entries.push({ type: 'file', name: `data/d${f % 64}/f${f}.txt`, content });
      bytes += size;
    }
    const tarFile = join(scratch, 'layer.tar');
    writeFileSync(tarFile, await buildLayerTar(entries));
    const { createReadStream } = await import('node:fs');
    const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
    const ours = { wall: [], user: [], system: [] };
    const tar = { wall: [] };
    for (let round = 0; round < rounds; round++) {
      // Nothing is deleted until the end: a file made soon after a mass deletion costs far more here.
      const dir = join(scratch, `ours-${round}`);
      mkdirSync(dir);
      syncAndSettle();
      const cpu = process.cpuUsage();
      const t = performance.now();
      await applyLayer(createReadStream(tarFile), dir);
      ours.wall.push(performance.now() - t);
      const used = process.cpuUsage(cpu);
      ours.user.push(used.user / 1000);
      ours.system.push(used.system / 1000);
      const plain = join(scratch, `tar-${round}`);
      mkdirSync(plain);
      syncAndSettle();
      const t2 = performance.now();
      spawnSync('tar', ['-xf', tarFile, '-C', plain, '--numeric-owner'], { stdio: 'ignore' });
      tar.wall.push(performance.now() - t2);
    }
    const ms = (values) => `${median(values).toFixed(0)} ms (${values.map((v) => v.toFixed(0)).join(' / ')})`;
    table('extract', [
      ['layer', `${entries.length} files, ${(bytes / 1048576).toFixed(0)} MiB, 64 directories`],
      [`confined extraction, wall, median of ${rounds}`, ms(ours.wall)],
      ['confined extraction, CPU user', ms(ours.user)],
      ['confined extraction, CPU system', ms(ours.system)],
      ['GNU tar -x of the same tar, wall (floor)', ms(tar.wall)],
    ]);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
    filesDeleted();
  }
}
