import assert from 'node:assert/strict';
import { test } from 'node:test';
import { namesTagOrDigest } from './pull.js';

test('a reference names its tag or digest, or leaves `latest` implied (Docker then says "Using default tag")', () => {
  for (const named of ['busybox:1.36', 'host:5000/app:v1', 'app@sha256:0123', 'localhost/a/b:c'])
    assert.equal(namesTagOrDigest(named), true, named);
  for (const implied of ['busybox', 'host:5000/app', 'library/busybox', 'localhost:5000/a/b'])
    assert.equal(namesTagOrDigest(implied), false, implied);
});
