import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type ContainerReference, LayerReferences } from './layer-references.js';

const container = (id: string, imageId: string, running: boolean): ContainerReference => ({
  Id: id,
  ImageId: imageId,
  State: { Running: running },
});

function references(records: ContainerReference[] = []) {
  return new LayerReferences({ all: () => records }, { upperDir: (id) => `/layers/${id}/diff` });
}

describe('layer references', () => {
  test('an image user is a running container first, else a stopped one, read from the store each time', () => {
    const records = [container('stopped', 'sha256:a', false), container('running', 'sha256:a', true)];
    const refs = references(records);
    assert.deepEqual(refs.imageUser('sha256:a'), { id: 'running', running: true });
    assert.equal(refs.imageUser('sha256:b'), null);
    records.pop();
    assert.deepEqual(refs.imageUser('sha256:a'), { id: 'stopped', running: false });
  });

  test("each container's writable layer for system df", () => {
    const refs = references([container('c1', 'sha256:a', true)]);
    assert.deepEqual(refs.containerLayerUsage(), [{ id: 'c1', upper: '/layers/c1/diff', running: true }]);
  });

  test('pins are counted: a layer pinned twice stays pinned until both release', async () => {
    const refs = references();
    const first = await refs.pin(['sha256:l1', 'sha256:l2']);
    const second = await refs.pin(['sha256:l1']);
    first();
    assert.equal(refs.isPinned('sha256:l1'), true);
    assert.equal(refs.isPinned('sha256:l2'), false);
    second();
    assert.deepEqual(refs.pinnedLayers(), new Set());
  });

  test('a collection is skipped while a lease is held, and a new lease waits for a collection', async () => {
    const refs = references();
    let endLease = () => {};
    const leased = refs.lease(() => new Promise<void>((resolve) => (endLease = resolve)));
    assert.equal(refs.busy, true);
    assert.equal(await refs.collect(async () => 'ran', 'skipped'), 'skipped');
    endLease();
    await leased;
    assert.equal(refs.busy, false);

    const order: string[] = [];
    let endCollection = () => {};
    const collecting = refs.collect(
      () =>
        new Promise<string>((resolve) => {
          endCollection = () => {
            order.push('collected');
            resolve('ran');
          };
        }),
      'skipped',
    );
    const lease = refs.lease(async () => order.push('leased'));
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(order, [], 'the lease waits');
    endCollection();
    assert.equal(await collecting, 'ran');
    await lease;
    assert.deepEqual(order, ['collected', 'leased']);
  });

  test('a create claims its image until its record is saved: meanwhile the image has a user', () => {
    const refs = references();
    const release = refs.claimForCreate('sha256:a', 'new-container');
    assert.deepEqual(refs.imageUser('sha256:a'), { id: 'new-container', running: false });
    release();
    assert.equal(refs.imageUser('sha256:a'), null);
  });

  test("one image's claim and removal never interleave; other images are not held up", async () => {
    const refs = references();
    const order: string[] = [];
    let endRemoval = () => {};
    const removal = refs.withImage(
      'sha256:a',
      () =>
        new Promise<void>((resolve) => {
          endRemoval = () => {
            order.push('removed a');
            resolve();
          };
        }),
    );
    const claim = refs.withImage('sha256:a', async () => order.push('claimed a'));
    await refs.withImage('sha256:b', async () => order.push('claimed b'));
    assert.deepEqual(order, ['claimed b'], 'the claim of a waits for its removal');
    endRemoval();
    await Promise.all([removal, claim]);
    assert.deepEqual(order, ['claimed b', 'removed a', 'claimed a']);
  });
});
