import assert from 'node:assert/strict';
import { test } from 'node:test';
import { digestsShown, namesShown, referenceMatches } from './image-filters.js';

test('referenceMatches: the familiar name with its tag, or the bare repository', () => {
  assert.equal(referenceMatches('busybox', 'docker.io/library/busybox:latest'), true);
  assert.equal(referenceMatches('busybox:latest', 'docker.io/library/busybox:latest'), true);
  assert.equal(referenceMatches('busybox:1', 'docker.io/library/busybox:latest'), false);
  assert.equal(referenceMatches('localhost:5000/*', 'localhost:5000/app:v1'), true);
  assert.equal(referenceMatches('diff/*', 'localhost:5000/diff/app:v1'), false);
});

test("namesShown: with a reference filter only that repository's names, else all", () => {
  const tags = ['127.0.0.1:5000/diff/busybox:v1', 'docker.io/diff/tagged:v1'];
  assert.deepEqual(namesShown(['reference=diff/tagged'], tags), ['docker.io/diff/tagged:v1']);
  assert.deepEqual(namesShown(['dangling=false'], tags), tags);
  assert.deepEqual(namesShown([], tags), tags);
  assert.deepEqual(
    namesShown(['reference=diff/busybox'], [`docker.io/diff/busybox@sha256:${'a'.repeat(64)}`]),
    [`docker.io/diff/busybox@sha256:${'a'.repeat(64)}`],
  );
});

test("digestsShown: the shown tags' repositories keep their digests, other repositories' go", () => {
  const digest = `sha256:${'b'.repeat(64)}`;
  const digests = [`127.0.0.1:5000/diff/busybox@${digest}`, `docker.io/library/other@${digest}`];
  const tags = ['127.0.0.1:5000/diff/busybox:v1'];
  assert.deepEqual(digestsShown(['reference=127.0.0.1:5000/diff/busybox:v1'], digests, tags), [digests[0]]);
  assert.deepEqual(digestsShown(['reference=other'], digests, []), [digests[1]]);
  assert.deepEqual(digestsShown([], digests, tags), digests);
});
