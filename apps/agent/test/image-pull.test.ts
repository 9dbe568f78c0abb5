import assert from 'node:assert/strict';
import { existsSync, lstatSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { chainIdOf } from '../src/storage/overlay2/layer-store.js';
import { type AgentProcess, startAgent } from './harness/agent-process.js';
import { agentCli } from './harness/cli-process.js';
import { startRegistry, type TestRegistry } from './harness/registry.js';
import { busyboxLayer, type PushedImage, pushBusybox, pushImage } from './harness/test-images.js';

describe('stevedore pull / images against a real registry and the real agent', () => {
  let registry: TestRegistry;
  let agent: AgentProcess;
  let busybox: PushedImage;
  let layered: PushedImage;
  const { cli } = agentCli(() => agent.host);

  before(async () => {
    registry = await startRegistry();
    busybox = await pushBusybox(registry);
    layered = await pushImage(registry, 'test/layered', 'v1', [
      [
        { type: 'directory', name: 'app' },
        { type: 'file', name: 'app/keep', content: 'keep' },
        { type: 'file', name: 'app/drop', content: 'drop me' },
      ],
      [
        { type: 'file', name: 'app/.wh.drop', content: '' },
        { type: 'file', name: 'app/new', content: 'new' },
      ],
    ]);
    agent = await startAgent();
  });
  after(async () => {
    await agent?.stop();
    await registry?.stop();
  });

  test('pull downloads, verifies and extracts every layer; images lists it; info counts it', async () => {
    const pulled = await cli('pull', busybox.reference);
    assert.equal(pulled.code, 0, pulled.stderr);
    assert.match(pulled.stdout, /Pull complete/);
    assert.match(pulled.stdout, new RegExp(`Digest: ${busybox.manifestDigest}`));
    assert.match(pulled.stdout, /Status: Downloaded newer image/);

    const diffId = busybox.layers[0]!.diffId;
    const diff = join(agent.dataRoot, 'overlay2', chainIdOf(null, diffId).slice(7), 'diff');
    assert.ok(
      readFileSync(join(diff, 'bin/busybox')).equals(readFileSync('/bin/busybox')),
      'busybox extracted byte for byte',
    );
    assert.ok(lstatSync(join(diff, 'bin/sh')).isSymbolicLink());

    const images = await cli('images');
    assert.equal(images.code, 0, images.stderr);
    assert.match(
      images.stdout,
      new RegExp(`${registry.host}/library/busybox\\s+latest\\s+${busybox.configDigest.slice(7, 19)}`),
    );
    const count = await cli('info', '--format', '{{.Images}}');
    assert.equal(count.stdout.trim(), '1');
  });

  test('pulling again reuses the layers and, as Docker, lists none of an image that is up to date', async () => {
    const again = await cli('pull', busybox.reference);
    assert.equal(again.code, 0, again.stderr);
    assert.doesNotMatch(again.stdout, /Already exists|Pulling fs layer/);
    assert.match(again.stdout, /Status: Image is up to date/);
  });

  test('an image whose base layer was already here counts that layer in its size', async () => {
    const extended = await pushImage(registry, 'test/on-busybox', 'v1', [
      busyboxLayer(),
      [{ type: 'file', name: 'extra.txt', content: 'x'.repeat(5000) }],
    ]);
    const pulled = await cli('pull', extended.reference);
    assert.equal(pulled.code, 0, pulled.stderr);
    assert.match(pulled.stdout, /Already exists/, 'the busybox layer came from the earlier pull');
    const inspected = await cli('image', 'inspect', '--format', '{{.Size}}', extended.reference);
    assert.equal(inspected.code, 0, inspected.stderr);
    const expected = extended.layers.reduce((sum, layer) => sum + layer.tar.length, 0);
    assert.equal(Number(inspected.stdout.trim()), expected);
    assert.equal((await cli('rmi', extended.reference)).code, 0);
  });

  test('multi-layer images stack with whiteouts in Docker’s overlay2 layout', async () => {
    const pulled = await cli('pull', '-q', layered.reference);
    assert.equal(pulled.code, 0, pulled.stderr);
    const [first, second] = layered.layers;
    const lower = chainIdOf(null, first!.diffId);
    const upper = chainIdOf(lower, second!.diffId);
    const upperDir = join(agent.dataRoot, 'overlay2', upper.slice(7));
    assert.ok(lstatSync(join(upperDir, 'diff/app/drop')).isCharacterDevice(), 'whiteout as 0/0 device');
    assert.match(readFileSync(join(upperDir, 'lower'), 'utf8'), /^l\/[A-Z2-7]{26}$/);
    assert.ok(existsSync(join(agent.dataRoot, 'overlay2', lower.slice(7), 'diff/app/keep')));
    assert.equal((await cli('images', '-q')).stdout.trim().split('\n').length, 2);
  });

  test('tag, image inspect and rmi: tags come off first, then the image and its unshared layers', async () => {
    assert.equal((await cli('tag', busybox.reference, 'mybox:1')).code, 0);
    const inspected = JSON.parse((await cli('image', 'inspect', 'mybox:1')).stdout);
    assert.equal(inspected[0].Id, busybox.configDigest);
    assert.deepEqual(inspected[0].RootFS.Layers, [busybox.layers[0]!.diffId]);
    assert.deepEqual(inspected[0].Config.Cmd, ['sh']);
    assert.equal(
      (await cli('image', 'inspect', '--format', '{{.Os}}/{{.Architecture}}', 'mybox:1')).stdout.trim(),
      'linux/amd64',
    );

    const untag = await cli('rmi', 'mybox:1');
    assert.equal(untag.code, 0, untag.stderr);
    assert.match(untag.stdout, /^Untagged: mybox:1$/m);
    assert.doesNotMatch(untag.stdout, /Deleted/);

    const layerDir = join(agent.dataRoot, 'overlay2', chainIdOf(null, busybox.layers[0]!.diffId).slice(7));
    assert.ok(existsSync(layerDir));
    // The layer's blob is kept as pulled, for save and push.
    const blob = join(agent.dataRoot, 'content', 'blobs', 'sha256', busybox.layers[0]!.digest.slice(7));
    assert.ok(existsSync(blob), 'the compressed blob is kept');
    const removed = await cli('rmi', busybox.reference);
    assert.equal(removed.code, 0, removed.stderr);
    assert.match(removed.stdout, new RegExp(`Deleted: ${busybox.configDigest}`));
    assert.equal(existsSync(layerDir), false, 'its only layer is gone');
    assert.equal(existsSync(blob), false, 'and its blob');
    const missing = await cli('rmi', busybox.reference);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /No such image/);
  });

  test('two pulls of one image at once both succeed and share one copy of each layer', async () => {
    const [a, b] = await Promise.all([
      cli('pull', '-q', busybox.reference),
      cli('pull', '-q', busybox.reference),
    ]);
    assert.equal(a.code, 0, a.stderr);
    assert.equal(b.code, 0, b.stderr);
    const dirs = readdirSync(join(agent.dataRoot, 'overlay2')).filter(
      (name) => !name.startsWith('.') && name !== 'l',
    );
    assert.equal(dirs.filter((d) => d === chainIdOf(null, busybox.layers[0]!.diffId).slice(7)).length, 1);
    assert.deepEqual(
      readdirSync(join(agent.dataRoot, 'overlay2')).filter((name) => name.startsWith('.tmp-')),
      [],
    );
  });

  test('a layer blob the registry serves altered fails the pull, naming the layer, and leaves nothing behind', async () => {
    const tampered = await pushImage(registry, 'test/tampered', 'v1', [
      [{ type: 'file', name: 'data', content: 'the original content of this layer' }],
    ]);
    const layer = tampered.layers[0]!;
    // The registry keeps blobs by digest on disk and serves them without checking: flip one byte.
    const hex = layer.digest.slice('sha256:'.length);
    const file = join(registry.storage, 'docker/registry/v2/blobs/sha256', hex.slice(0, 2), hex, 'data');
    const bytes = readFileSync(file);
    bytes[bytes.length - 10] = (bytes[bytes.length - 10] as number) ^ 0xff;
    writeFileSync(file, bytes);
    const layersBefore = readdirSync(join(agent.dataRoot, 'overlay2')).sort();

    const pulled = await cli('pull', tampered.reference);
    assert.equal(pulled.code, 1);
    assert.match(
      pulled.stderr,
      new RegExp(`${layer.digest}.*(digest mismatch|invalid|unexpected end|incorrect)`, 's'),
    );
    assert.equal((await cli('images', '-q', 'test/tampered')).stdout, '', 'no image');
    assert.deepEqual(readdirSync(join(agent.dataRoot, 'overlay2')).sort(), layersBefore, 'no layer left');
    assert.ok(!existsSync(join(agent.dataRoot, 'content/blobs/sha256', hex)), 'no blob kept');
    assert.deepEqual(readdirSync(join(agent.dataRoot, 'content/ingest')), [], 'no partial download left');
  });

  test('bad references and unknown tags fail with Docker-like messages', async () => {
    const bad = await cli('pull', 'Bad/Name');
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /invalid reference format "Bad\/Name": repository name must be lowercase/);
    const missing = await cli('pull', `${registry.host}/library/busybox:nope`);
    assert.equal(missing.code, 1);
    assert.equal(
      missing.stderr,
      `Error response from daemon: manifest for ${registry.host}/library/busybox:nope not found: manifest unknown: manifest unknown\n`,
    );
    assert.equal(missing.stdout, '', 'nothing is "Pulling from" a manifest the registry does not have');
    const untagged = await cli('pull', `${registry.host}/library/absent`);
    assert.equal(untagged.code, 1);
    assert.equal(untagged.stdout, 'Using default tag: latest\n');
  });

  test('search REGISTRY/TERM filters the registry catalog', async () => {
    const found = await cli('search', '--format', '{{.Name}}', `${registry.host}/lay`);
    assert.equal(found.code, 0, found.stderr);
    assert.equal(found.stdout, `${registry.host}/test/layered\n`);
    const table = await cli('search', `${registry.host}/box`);
    assert.match(table.stdout, /^NAME\s+DESCRIPTION\s+STARS\s+OFFICIAL\n/);
    assert.match(table.stdout, new RegExp(`${registry.host}/library/busybox\\s+0`));
    assert.equal(
      (await cli('search', '--limit', '0', `${registry.host}/box`)).code,
      1,
      'a bad limit is refused',
    );
  });

  test('a pull racing an rmi of an image that shares its base layer leaves a consistent store', async () => {
    const plus = await pushImage(
      registry,
      'test/busybox-plus',
      'v1',
      [busyboxLayer(), [{ type: 'file', name: 'extra', content: 'on top\n' }]],
      { Cmd: ['sh'] },
    );
    assert.equal(plus.layers[0]!.diffId, busybox.layers[0]!.diffId, 'the base layer is shared');
    const base = chainIdOf(null, busybox.layers[0]!.diffId);
    const top = chainIdOf(base, plus.layers[1]!.diffId);
    const layerDir = (chainId: string) => join(agent.dataRoot, 'overlay2', chainId.slice(7));
    for (let round = 0; round < 4; round++) {
      assert.equal((await cli('pull', '-q', busybox.reference)).code, 0);
      const [pulled, removed] = await Promise.all([
        cli('pull', '-q', plus.reference),
        cli('rmi', busybox.reference),
      ]);
      assert.equal(pulled.code, 0, pulled.stderr);
      assert.equal(removed.code, 0, removed.stderr);
      assert.ok(
        existsSync(join(layerDir(base), 'diff/bin/busybox')),
        `round ${round}: the shared layer survived the rmi`,
      );
      assert.ok(existsSync(join(layerDir(top), 'diff/extra')), `round ${round}: the new layer is there`);
      assert.equal((await cli('rmi', plus.reference)).code, 0);
      assert.equal(existsSync(layerDir(base)), false, `round ${round}: no image left, no layer left`);
    }
  });
});
