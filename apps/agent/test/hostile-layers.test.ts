import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { isStevedoreError } from '@stevedore/shared';
import { applyLayer } from '../src/storage/extract/apply-layer.js';
import { type AgentProcess, startAgent } from './harness/agent-process.js';
import { agentCli } from './harness/cli-process.js';
import {
  type Canaries,
  hostileLayer,
  plantCanaries,
  seededRandom,
  tarOfEntries,
} from './harness/hostile-layers.js';
import { rawRequest } from './harness/raw-http.js';
import {
  pushBlob,
  pushManifest,
  sha256Digest,
  startRegistry,
  type TestRegistry,
} from './harness/registry.js';
import { MEDIA, pushBusybox, tarOf } from './harness/test-images.js';

/**
 * Image layers and `cp` archives are hostile: whatever their entries do (replace a setuid directory
 * by a symlink to a host file, write through symlinked parents, hardlink symlinks), nothing outside
 * the layer or the container may change. Canary files outside are compared after every layer.
 */
describe('hostile layers never reach the host', () => {
  let base: string;
  let canaries: Canaries;
  let pristine: string;
  let layerCount = 0;
  const assertCanariesUntouched = (what: string) =>
    assert.equal(canaries.snapshot(), pristine, `a host file outside the layer changed after ${what}`);

  before(() => {
    base = mkdtempSync(join(tmpdir(), 'stevedore-hostile-'));
    mkdirSync(join(base, 'layers'));
    canaries = plantCanaries(base);
    pristine = canaries.snapshot();
  });
  after(() => rmSync(base, { recursive: true, force: true }));

  const newLayerDir = () => {
    const dir = join(base, 'layers', String(layerCount++));
    mkdirSync(dir);
    return dir;
  };

  test('the reported attack: a setuid directory replaced by a symlink to a host file leaves that file alone', async () => {
    const old = new Date('2020-01-01T00:00:00Z');
    const layers = [
      [
        { header: { name: 'a/', type: 'directory' as const, mode: 0o6777, mtime: old } },
        { header: { name: 'a', type: 'symlink' as const, linkname: canaries.file } },
      ],
      [
        { header: { name: 'c/', type: 'directory' as const, mode: 0o6777, mtime: old } },
        {
          header: {
            name: 'c',
            type: 'symlink' as const,
            linkname: `${'../'.repeat(20)}${canaries.subdir.slice(1)}`,
          },
        },
      ],
      [
        { header: { name: 'd/', type: 'directory' as const, mode: 0o6777, mtime: old } },
        { header: { name: 'd/e/', type: 'directory' as const, mode: 0o6777, mtime: old } },
        { header: { name: 'd', type: 'symlink' as const, linkname: canaries.dir } },
      ],
    ];
    for (const entries of layers) {
      await applyLayer(Readable.from(await tarOfEntries(entries)), newLayerDir());
      assertCanariesUntouched(`a layer of ${entries.map((entry) => entry.header.name).join(', ')}`);
    }
  });

  test('500 generated hostile layers, extracted directly: canaries untouched after each', async () => {
    const outcomes = { applied: 0, refused: 0 };
    for (let seed = 1; seed <= 500; seed++) {
      const entries = hostileLayer(seededRandom(seed), canaries, seed % 2 === 0);
      const tar = await tarOfEntries(entries);
      try {
        await applyLayer(Readable.from(tar), newLayerDir(), { whiteouts: seed % 2 === 0 });
        outcomes.applied++;
      } catch (error) {
        // A refusal is a fine answer to a hostile layer; anything else is a bug.
        assert.ok(
          isStevedoreError(error) && error.code === 'INVALID_ARGUMENT',
          `layer of seed ${seed} failed with something other than a refusal: ${String(error)}\n${JSON.stringify(entries.map((e) => e.header))}`,
        );
        outcomes.refused++;
      }
      assertCanariesUntouched(`generated layer of seed ${seed}`);
    }
    // The generator must exercise both paths, or the test proves little.
    assert.ok(outcomes.applied >= 80, `only ${outcomes.applied} of 500 layers were applied`);
    assert.ok(outcomes.refused >= 50, `only ${outcomes.refused} of 500 layers were refused`);
  });

  describe('through the agent: pull, load, import and cp', () => {
    let registry: TestRegistry;
    let agent: AgentProcess;
    let work: string;
    let container = '';
    const { cli } = agentCli(() => agent.host, { timeoutMs: 60_000 });

    before(async () => {
      registry = await startRegistry();
      agent = await startAgent();
      work = mkdtempSync(join(tmpdir(), 'stevedore-hostile-work-'));
      const busybox = await pushBusybox(registry);
      const run = await cli('run', '-d', '--network', 'none', busybox.reference, 'sleep', '600');
      assert.equal(run.code, 0, run.stderr);
      container = run.stdout.trim();
    });
    after(async () => {
      if (container) await cli('rm', '-f', container);
      await agent?.stop();
      await registry?.stop();
      rmSync(work, { recursive: true, force: true });
    });

    const layerTars = async (firstSeed: number, count: number, whiteouts: boolean) => {
      const tars: Buffer[] = [];
      for (let seed = firstSeed; seed < firstSeed + count; seed++)
        tars.push(await tarOfEntries(hostileLayer(seededRandom(seed), canaries, whiteouts)));
      return tars;
    };
    const imageConfig = (tars: Buffer[]) =>
      Buffer.from(
        JSON.stringify({
          architecture: 'amd64',
          os: 'linux',
          config: { Cmd: ['sh'] },
          rootfs: { type: 'layers', diff_ids: tars.map((tar) => sha256Digest(tar)) },
          history: tars.map(() => ({ created: '2026-01-01T00:00:00Z', created_by: 'hostile' })),
        }),
      );

    test('pull: 6 images of 10 hostile layers from the registry', async () => {
      for (let image = 0; image < 6; image++) {
        const tars = await layerTars(10_000 + image * 10, 10, true);
        const repository = `hostile/pull${image}`;
        const layers = [];
        for (const tar of tars) {
          const gz = gzipSync(tar);
          layers.push({
            mediaType: MEDIA.layerGzip,
            size: gz.length,
            digest: await pushBlob(registry, repository, gz),
          });
        }
        const config = imageConfig(tars);
        const configDigest = await pushBlob(registry, repository, config);
        await pushManifest(
          registry,
          repository,
          'v1',
          {
            schemaVersion: 2,
            mediaType: MEDIA.manifest,
            config: { mediaType: MEDIA.config, size: config.length, digest: configDigest },
            layers,
          },
          MEDIA.manifest,
        );
        const pulled = await cli('pull', `${registry.host}/${repository}:v1`);
        // Refused or pulled: either way the agent answers with a clear outcome, and the host is untouched.
        assert.ok(pulled.code === 0 || /refused/.test(pulled.stderr), pulled.stderr);
        assertCanariesUntouched(`pulling ${repository}`);
      }
    });

    test('load: 20 docker-save archives of 2 hostile layers', async () => {
      for (let i = 0; i < 20; i++) {
        const tars = await layerTars(20_000 + i * 2, 2, true);
        const config = imageConfig(tars);
        const archive = await tarOf((save) => {
          save.entry({ name: 'config.json' }, config);
          for (const [index, tar] of tars.entries()) save.entry({ name: `l${index}/layer.tar` }, tar);
          save.entry(
            { name: 'manifest.json' },
            JSON.stringify([
              {
                Config: 'config.json',
                RepoTags: [`hostile/load:${i}`],
                Layers: ['l0/layer.tar', 'l1/layer.tar'],
              },
            ]),
          );
        });
        const file = join(work, `load${i}.tar`);
        writeFileSync(file, archive);
        const loaded = await cli('load', '-i', file);
        assert.ok(loaded.code === 0 || /refused/.test(loaded.stderr), loaded.stderr);
        assertCanariesUntouched(`loading archive ${i}`);
      }
    });

    test('import: 20 hostile tars', async () => {
      const tars = await layerTars(30_000, 20, false);
      for (const [i, tar] of tars.entries()) {
        const file = join(work, `import${i}.tar`);
        writeFileSync(file, tar);
        const imported = await cli('import', file, `hostile/import:${i}`);
        assert.ok(imported.code === 0 || /refused/.test(imported.stderr), imported.stderr);
        assertCanariesUntouched(`importing tar ${i}`);
      }
    });

    test('cp into a running container: 20 hostile archives', async () => {
      const tars = await layerTars(40_000, 20, false);
      for (const [i, tar] of tars.entries()) {
        const mkdir = await cli('exec', container, 'mkdir', '-p', `/tmp/cp${i}`);
        assert.equal(mkdir.code, 0, mkdir.stderr);
        const response = await rawRequest(
          { socketPath: agent.socketPath },
          [
            `PUT /containers/${container}/archive?path=${encodeURIComponent(`/tmp/cp${i}`)} HTTP/1.1`,
            'Host: agent',
            'Content-Type: application/x-tar',
            `Content-Length: ${tar.length}`,
            'Connection: close',
          ].join('\r\n'),
          tar,
        );
        assert.ok(
          response.status === 200 || (response.status === 400 && /refused/.test(response.body)),
          `cp of archive ${i}: ${response.status} ${response.body}`,
        );
        assertCanariesUntouched(`cp of archive ${i}`);
      }
    });
  });
});
