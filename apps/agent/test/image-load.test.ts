import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { extract, pack } from 'tar-stream';
import { type AgentProcess, startAgent } from './harness/agent-process.js';
import { agentCli, runCli } from './harness/cli-process.js';
import { sha256Digest, startRegistry } from './harness/registry.js';
import { buildLayerTar, busyboxLayer, pushBusybox } from './harness/test-images.js';

const hex = (digest: string) => digest.slice('sha256:'.length);

/** A tar of named files, as `docker save` writes its outer archive. */
async function tarOf(files: Record<string, Buffer | string>): Promise<Buffer> {
  const archive = pack();
  const parts: Buffer[] = [];
  archive.on('data', (chunk: unknown) => parts.push(chunk as Buffer));
  const done = new Promise<void>((resolve) => archive.on('end', () => resolve()));
  for (const [name, content] of Object.entries(files)) archive.entry({ name }, content);
  archive.finalize();
  await done;
  return Buffer.concat(parts);
}

async function layers() {
  const base = await buildLayerTar(busyboxLayer());
  const top = await buildLayerTar([
    { type: 'directory', name: 'data' },
    { type: 'file', name: 'data/a', content: 'loaded' },
    { type: 'link', name: 'data/a-link', target: 'data/a' },
    { type: 'file', name: 'bin/.wh.yes', content: '' },
  ]);
  return [base, top];
}

function configFor(tars: Buffer[], diffIds = tars.map((tar) => sha256Digest(tar))): Buffer {
  return Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      config: { Env: ['PATH=/bin'], Cmd: ['sh'] },
      rootfs: { type: 'layers', diff_ids: diffIds },
      history: tars.map(() => ({ created: '2026-01-01T00:00:00Z', created_by: 'stevedore test' })),
    }),
  );
}

describe('load: docker save archives (legacy and Docker 25+ layouts) and OCI layouts', () => {
  let agent: AgentProcess;
  let dir: string;
  const { cli } = agentCli(() => agent.host, { timeoutMs: 60_000 });
  const check = async (image: string) => {
    const view = await cli(
      'run',
      '--rm',
      '--network',
      'none',
      image,
      'sh',
      '-c',
      'cat /data/a-link; stat -c %h /data/a; ls /bin/yes 2>&1 || true',
    );
    assert.equal(view.code, 0, view.stderr);
    assert.match(view.stdout, /^loaded2\nls: \/bin\/yes: No such file or directory\n$/);
  };

  before(async () => {
    agent = await startAgent();
    dir = mkdtempSync(join(tmpdir(), 'stevedore-load-'));
  });
  after(async () => {
    await agent?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a Docker 24 archive (<id>/layer.tar, repositories) loads with its tag and runs', async () => {
    const tars = await layers();
    const config = configFor(tars);
    const files: Record<string, Buffer | string> = { [`${hex(sha256Digest(config))}.json`]: config };
    const layerPaths = tars.map((tar, i) => {
      const path = `layer${i}/layer.tar`;
      files[path] = tar;
      return path;
    });
    files['manifest.json'] = JSON.stringify([
      { Config: `${hex(sha256Digest(config))}.json`, RepoTags: ['saved/app:v1'], Layers: layerPaths },
    ]);
    writeFileSync(join(dir, 'v24.tar'), await tarOf(files));
    const loaded = await cli('load', '-i', join(dir, 'v24.tar'));
    assert.equal(loaded.code, 0, loaded.stderr);
    assert.equal(loaded.stdout, 'Loaded image: saved/app:v1\n');
    await check('saved/app:v1');
    const again = await cli('load', '-i', join(dir, 'v24.tar'));
    assert.equal(again.stdout, 'Loaded image: saved/app:v1\n', 'loading twice keeps one image');
    assert.equal((await cli('images', '-q', 'saved/app')).stdout.trim().split('\n').length, 1);
  });

  test('a Docker 25+ archive (OCI blobs plus manifest.json) loads; an untagged one reports its ID', async () => {
    const tars = await layers();
    const config = configFor(tars);
    const files: Record<string, Buffer | string> = {
      [`blobs/sha256/${hex(sha256Digest(config))}`]: config,
      'oci-layout': '{"imageLayoutVersion":"1.0.0"}',
    };
    for (const tar of tars) files[`blobs/sha256/${hex(sha256Digest(tar))}`] = tar;
    files['manifest.json'] = JSON.stringify([
      {
        Config: `blobs/sha256/${hex(sha256Digest(config))}`,
        RepoTags: null,
        Layers: tars.map((tar) => `blobs/sha256/${hex(sha256Digest(tar))}`),
      },
    ]);
    writeFileSync(join(dir, 'v25.tar'), await tarOf(files));
    const loaded = await cli('load', '--input', join(dir, 'v25.tar'));
    assert.equal(loaded.code, 0, loaded.stderr);
    assert.equal(loaded.stdout, `Loaded image ID: ${sha256Digest(config)}\n`);
  });

  test('an OCI layout (index.json, gzip layers) loads with the name in its annotation', async () => {
    const tars = await layers();
    const config = configFor(tars);
    const gzipped = tars.map((tar) => gzipSync(tar));
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: {
          mediaType: 'application/vnd.oci.image.config.v1+json',
          digest: sha256Digest(config),
          size: config.length,
        },
        layers: gzipped.map((gz) => ({
          mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
          digest: sha256Digest(gz),
          size: gz.length,
        })),
      }),
    );
    const files: Record<string, Buffer | string> = {
      'oci-layout': '{"imageLayoutVersion":"1.0.0"}',
      'index.json': JSON.stringify({
        schemaVersion: 2,
        manifests: [
          {
            mediaType: 'application/vnd.oci.image.manifest.v1+json',
            digest: sha256Digest(manifest),
            size: manifest.length,
            annotations: { 'io.containerd.image.name': 'docker.io/library/ocitest:v2' },
          },
        ],
      }),
      [`blobs/sha256/${hex(sha256Digest(manifest))}`]: manifest,
      [`blobs/sha256/${hex(sha256Digest(config))}`]: config,
    };
    for (const gz of gzipped) files[`blobs/sha256/${hex(sha256Digest(gz))}`] = gz;
    writeFileSync(join(dir, 'oci.tar'), await tarOf(files));
    const loaded = await cli('load', '-i', join(dir, 'oci.tar'));
    assert.equal(loaded.code, 0, loaded.stderr);
    assert.equal(loaded.stdout, 'Loaded image: ocitest:v2\n');
    await check('ocitest:v2');
  });

  test('a layer that does not match its diff ID is refused, naming it, and leaves no layer behind; a malformed archive is refused', async () => {
    const tars = [
      await buildLayerTar([{ type: 'file', name: 'only-here', content: 'unique' }]),
      (await layers())[1] as Buffer,
    ];
    const config = configFor(tars, [sha256Digest(tars[0] as Buffer), `sha256:${'0'.repeat(64)}`]);
    const files: Record<string, Buffer | string> = {
      'c.json': config,
      'l0.tar': tars[0] as Buffer,
      'l1.tar': tars[1] as Buffer,
      'manifest.json': JSON.stringify([
        { Config: 'c.json', RepoTags: ['bad/app:v1'], Layers: ['l0.tar', 'l1.tar'] },
      ]),
    };
    const layersOnDisk = () =>
      readdirSync(join(agent.dataRoot, 'overlay2')).filter((name) => name !== 'l').length;
    // The last test's `run --rm` may still be removing its container layer: the agent answers the
    // next request only once that is done, so one goes first.
    assert.equal((await cli('images', '-q')).code, 0);
    const before = layersOnDisk();
    writeFileSync(join(dir, 'bad.tar'), await tarOf(files));
    const refused = await cli('load', '-i', join(dir, 'bad.tar'));
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /invalid diffID for layer 1 \(l1\.tar\): expected sha256:0{64}/);
    assert.equal((await cli('images', '-q', 'bad/app')).stdout.trim(), '', 'nothing was tagged');
    assert.equal(layersOnDisk(), before, 'the good first layer was removed with the failed load');
    writeFileSync(join(dir, 'empty.tar'), await tarOf({ 'hello.txt': 'hi' }));
    const empty = await cli('load', '-i', join(dir, 'empty.tar'));
    assert.match(empty.stderr, /neither manifest\.json \(docker save\) nor index\.json \(OCI layout\)/);
  });
});

describe('save: archives Docker can load, exact to the diff IDs', () => {
  test('a pulled image and a committed one are saved, then loaded into another agent with the same IDs', async () => {
    const registry = await startRegistry();
    const first = await startAgent();
    const second = await startAgent();
    const dir = mkdtempSync(join(tmpdir(), 'stevedore-save-'));
    try {
      const { cli: cli1 } = agentCli(() => first.host, { timeoutMs: 60_000 });
      const { cli: cli2 } = agentCli(() => second.host, { timeoutMs: 60_000 });
      const image = (await pushBusybox(registry)).reference;
      assert.equal((await cli1('pull', '-q', image)).code, 0);
      assert.equal(
        (await cli1('run', '--name', 'maker', '--network', 'none', image, 'sh', '-c', 'echo made > /made'))
          .code,
        0,
      );
      assert.equal((await cli1('commit', 'maker', 'made:v1')).code, 0);
      const archive = join(dir, 'both.tar');
      const saved = await cli1('save', '-o', archive, image, 'made:v1');
      assert.equal(saved.code, 0, saved.stderr);

      const entries = await untar(readFileSync(archive));
      const manifest = JSON.parse((entries.get('manifest.json') as Buffer).toString()) as {
        Config: string;
        RepoTags: string[];
        Layers: string[];
      }[];
      assert.deepEqual(
        manifest.map((m) => m.RepoTags),
        [[image], ['made:v1']],
      );
      for (const entry of manifest) {
        const config = JSON.parse((entries.get(entry.Config) as Buffer).toString()) as {
          rootfs: { diff_ids: string[] };
        };
        assert.deepEqual(
          entry.Layers.map((layer) => sha256Digest(entries.get(layer) as Buffer)),
          config.rootfs.diff_ids,
          'each layer tar hashes to its diff ID',
        );
      }
      assert.ok(entries.has('index.json') && entries.has('oci-layout'), 'an OCI image layout too');

      const loaded = await cli2('load', '-i', archive);
      assert.equal(loaded.code, 0, loaded.stderr);
      assert.equal(loaded.stdout, `Loaded image: ${image}\nLoaded image: made:v1\n`);
      for (const name of [image, 'made:v1']) {
        const id1 = (await cli1('image', 'inspect', '--format', '{{.Id}}', name)).stdout;
        const id2 = (await cli2('image', 'inspect', '--format', '{{.Id}}', name)).stdout;
        assert.equal(id2, id1, `${name} keeps its ID`);
      }
      const ran = await cli2('run', '--rm', '--network', 'none', 'made:v1', 'cat', '/made');
      assert.equal(ran.stdout.trim(), 'made', ran.stderr);
      const unknown = await cli1('save', '-o', join(dir, 'x.tar'), 'no-such:image');
      assert.equal(unknown.code, 1);
      assert.match(unknown.stderr, /No such image/);
    } finally {
      await first.stop();
      await second.stop();
      await registry.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('archives stream: no size limit, TCP needs the token', () => {
  test('a 64 MiB image is saved over TLS with a token and loaded into another agent; without the token it is refused', async () => {
    const registry = await startRegistry();
    const first = await startAgent({ tls: true });
    const second = await startAgent();
    const dir = mkdtempSync(join(tmpdir(), 'stevedore-save-big-'));
    try {
      const overTls = (...args: string[]) =>
        runCli(
          ['-H', first.tcpHost!, '--tlscacert', first.caCertFile!, ...args],
          { STEVEDORE_TOKEN: first.token! },
          120_000,
        );
      const { cli: cli1 } = agentCli(() => first.host, { timeoutMs: 120_000 });
      const { cli: cli2 } = agentCli(() => second.host, { timeoutMs: 120_000 });
      const image = (await pushBusybox(registry)).reference;
      assert.equal((await cli1('pull', '-q', image)).code, 0);
      // Random bytes do not compress: the layer blob itself is over the old 48 MiB limit.
      const made = await cli1(
        'run',
        '--name',
        'big',
        '--network',
        'none',
        image,
        'dd',
        'if=/dev/urandom',
        'of=/big',
        'bs=1048576',
        'count=64',
      );
      assert.equal(made.code, 0, made.stderr);
      assert.equal((await cli1('commit', 'big', 'big:v1')).code, 0);
      const sum = (await cli1('run', '--rm', '--network', 'none', 'big:v1', 'md5sum', '/big')).stdout;

      const refused = await runCli([
        '-H',
        first.tcpHost!,
        '--tlscacert',
        first.caCertFile!,
        'save',
        '-o',
        join(dir, 'no.tar'),
        'big:v1',
      ]);
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /needs a valid token/);
      assert.ok(!existsSync(join(dir, 'no.tar')), 'nothing written without the token');

      const archive = join(dir, 'big.tar');
      const saved = await overTls('save', '-o', archive, 'big:v1');
      assert.equal(saved.code, 0, saved.stderr);
      assert.ok(
        statSync(archive).size > 64 << 20,
        `the archive holds the whole layer (${statSync(archive).size} bytes)`,
      );

      const loaded = await cli2('load', '-i', archive);
      assert.equal(loaded.code, 0, loaded.stderr);
      assert.equal(loaded.stdout, 'Loaded image: big:v1\n');
      const id1 = (await cli1('image', 'inspect', '--format', '{{.Id}}', 'big:v1')).stdout;
      assert.equal((await cli2('image', 'inspect', '--format', '{{.Id}}', 'big:v1')).stdout, id1);
      assert.equal((await cli2('run', '--rm', '--network', 'none', 'big:v1', 'md5sum', '/big')).stdout, sum);
      assert.deepEqual(readdirSync(join(second.dataRoot, 'content', 'ingest')), [], 'no scratch files left');
    } finally {
      await first.stop();
      await second.stop();
      await registry.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

async function untar(data: Buffer): Promise<Map<string, Buffer>> {
  const entries = new Map<string, Buffer>();
  const reader = extract();
  reader.on('entry', (header, stream, next) => {
    const parts: Buffer[] = [];
    stream.on('data', (chunk: unknown) => parts.push(chunk as Buffer));
    stream.on('end', () => {
      entries.set(header.name, Buffer.concat(parts));
      next();
    });
  });
  const done = new Promise<void>((resolve, reject) => {
    reader.on('finish', () => resolve());
    reader.on('error', reject);
  });
  reader.end(data);
  await done;
  return entries;
}
