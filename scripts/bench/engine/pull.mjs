import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  cliBin,
  curlTar,
  engineVersion,
  filesDeleted,
  median,
  startAgent,
  syncAndSettle,
  table,
} from './common.mjs';

export async function benchPull() {
  const { startRegistry } = await import('../../../apps/agent/test/harness/registry.ts');
  const { pushImage } = await import('../../../apps/agent/test/harness/test-images.ts');
  const registry = await startRegistry();
  const scratch = mkdtempSync(join(tmpdir(), 'stevedore-bench-tar-'));
  try {
    // 6 layers x ~50 MB of 2-64 KiB text-like files (compressible, like real layers).
    const layers = [];
    let bytes = 0;
    let files = 0;
    for (let l = 0; l < 6; l++) {
      const entries = [];
      let layerBytes = 0;
      for (let f = 0; layerBytes < 50 * 1024 * 1024; f++) {
        const size = 2048 + ((f * 7919) % (62 * 1024));
        // Half random, half text: compresses about as well as typical binaries and sources (~2:1).
        const content = Buffer.concat([
          randomBytes(size >> 1),
          Buffer.alloc(size - (size >> 1), `file ${f} lorem ipsum `),
        ]);
        entries.push({ type: 'file', name: `data/l${l}/d${f % 64}/f${f}.txt`, content });
        layerBytes += size;
      }
      bytes += layerBytes;
      files += entries.length;
      layers.push(entries);
    }
    const image = await pushImage(registry, 'bench/many-files', 'v1', layers);
    const compressed = image.layers.reduce((sum, layer) => sum + layer.size, 0);

    // The same pull by Docker and Podman when this machine has them, from the same registry.
    const engines = ['docker', 'podman']
      .map((name) => ({ name, version: engineVersion(name) }))
      .filter((engine) => engine.version)
      .map(({ name, version }) => ({
        name,
        version,
        run: async () => {
          spawnSync(name, ['rmi', '-f', image.reference], { stdio: 'ignore' });
          filesDeleted();
          syncAndSettle();
          const t = performance.now();
          const result = spawnSync(
            name,
            ['pull', '-q', ...(name === 'podman' ? ['--tls-verify=false'] : []), image.reference],
            { encoding: 'utf8' },
          );
          const ms = performance.now() - t;
          spawnSync(name, ['rmi', '-f', image.reference], { stdio: 'ignore' });
          filesDeleted();
          if (result.status !== 0) throw new Error(`${name} pull failed: ${result.stderr.trim()}`);
          return ms;
        },
      }));
    // File creation on this kind of machine costs 20 µs to 1 ms depending on the moment, so one
    // sample of each contender says little: every contender runs once per round, in a rotating
    // order, after the page cache is written back, and the medians (and the per-round ratios) are
    // reported.
    const contenders = [
      {
        name: 'stevedore',
        run: async () => {
          const fresh = await startAgent();
          try {
            const t = performance.now();
            const result = spawnSync(
              cliBin,
              ['-H', `unix://${fresh.socket}`, 'pull', '-q', image.reference],
              {
                encoding: 'utf8',
              },
            );
            if (result.status !== 0) throw new Error(`stevedore pull failed: ${result.stderr}`);
            return performance.now() - t;
          } finally {
            await fresh.stop();
            filesDeleted();
          }
        },
      },
      {
        // The floor: every layer fetched and unpacked at once by curl | tar (no verification at all).
        name: 'floor',
        run: async () => {
          const t = performance.now();
          await Promise.all(
            image.layers.map((layer, i) => curlTar(registry, layer.digest, join(scratch, String(i)))),
          );
          const ms = performance.now() - t;
          rmSync(scratch, { recursive: true, force: true });
          filesDeleted();
          return ms;
        },
      },
      ...engines,
    ];
    const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
    const samples = new Map(contenders.map((c) => [c.name, []]));
    for (let round = 0; round < rounds; round++) {
      for (let k = 0; k < contenders.length; k++) {
        const contender = contenders[(round + k) % contenders.length];
        syncAndSettle();
        samples.get(contender.name).push(await contender.run());
      }
    }
    const ours = samples.get('stevedore');
    const seconds = (values) =>
      `${(median(values) / 1000).toFixed(2)} s (${values.map((v) => (v / 1000).toFixed(2)).join(' / ')})`;
    /** The median of the rounds' `a / b` time ratios. */
    const ratio = (a, b) => median(samples.get(a).map((v, i) => v / samples.get(b)[i])).toFixed(2);
    table('pull', [
      [
        'image',
        `${layers.length} layers, ${files} files, ${(bytes / 1048576).toFixed(0)} MiB (${(compressed / 1048576).toFixed(0)} MiB gzip)`,
      ],
      [
        `\`stevedore pull\` (verify digests + diff_ids, extract into overlay2), median of ${rounds} (each round)`,
        seconds(ours),
      ],
      [
        `curl piped to tar, all layers in parallel (no verification), median of ${rounds}`,
        seconds(samples.get('floor')),
      ],
      ["stevedore / floor, median of the rounds' ratios", `${ratio('stevedore', 'floor')}×`],
      ...(engines.length > 0
        ? engines.flatMap((engine) => [
            [
              `\`${engine.name} pull\` (${engine.version}), same image, same rounds`,
              seconds(samples.get(engine.name)),
            ],
            [
              `${engine.name} / stevedore, median of the rounds' ratios`,
              `${ratio(engine.name, 'stevedore')}× (Stevedore faster when above 1)`,
            ],
          ])
        : [['docker / podman', 'no engine on this machine']]),
    ]);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
    await registry.stop();
  }
}
