import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  familiarImageName,
  formatImageReference,
  ImageReferenceString,
  parseImageReference,
} from './image-reference.js';

const canonical = (input: string) => formatImageReference(parseImageReference(input));
const HEX = 'a'.repeat(64);

test('short names normalize like Docker', () => {
  assert.equal(canonical('busybox'), 'docker.io/library/busybox:latest');
  assert.equal(canonical('busybox:1.36'), 'docker.io/library/busybox:1.36');
  assert.equal(canonical('user/app'), 'docker.io/user/app:latest');
  assert.equal(canonical('index.docker.io/library/busybox'), 'docker.io/library/busybox:latest');
  assert.equal(canonical('docker.io/busybox'), 'docker.io/library/busybox:latest');
});

test('the first component is a registry when it has a dot or a port, is localhost, or has capitals', () => {
  assert.deepEqual(parseImageReference('127.0.0.1:5000/ns/app:v1'), {
    domain: '127.0.0.1:5000',
    path: 'ns/app',
    tag: 'v1',
    digest: null,
  });
  assert.equal(parseImageReference('localhost/app').domain, 'localhost');
  assert.equal(parseImageReference('registry.example.com/a/b/c').path, 'a/b/c');
  assert.equal(parseImageReference('Registry/app').domain, 'Registry');
  assert.equal(parseImageReference('[::1]:5000/app').domain, '[::1]:5000');
  assert.equal(parseImageReference('ns/app').domain, 'docker.io');
});

test('digests: alone (no default tag) or with a tag', () => {
  assert.deepEqual(parseImageReference(`busybox@sha256:${HEX}`), {
    domain: 'docker.io',
    path: 'library/busybox',
    tag: null,
    digest: `sha256:${HEX}`,
  });
  assert.equal(canonical(`host:5000/app:1.0@sha256:${HEX}`), `host:5000/app:1.0@sha256:${HEX}`);
});

test('invalid references are refused with what is wrong', () => {
  const refused = (input: string, why: RegExp) => assert.throws(() => parseImageReference(input), why);
  refused('', /empty/);
  refused('Busybox', /must be lowercase/);
  refused('user/App', /must be lowercase/);
  refused('busybox:', /a tag is 1-128/);
  refused('busybox:-bad', /a tag is 1-128/);
  refused(`busybox:${'x'.repeat(129)}`, /a tag is 1-128/);
  refused('busybox@sha256:abc', /digest must look like/);
  refused(`busybox@sha256:${'A'.repeat(64)}`, /64 lower-case hex/);
  refused('busybox@nodigest', /digest must look like/);
  refused('a//b', /empty path component/);
  refused('ns/-app', /not a valid path component/);
  refused('bad_host:5000x/app', /not a valid registry/);
  refused(`${'a'.repeat(256)}`, /longer than 255/);
});

test('familiar names drop docker.io and library/', () => {
  assert.equal(familiarImageName(parseImageReference('busybox')), 'busybox:latest');
  assert.equal(familiarImageName(parseImageReference('user/app:2')), 'user/app:2');
  assert.equal(familiarImageName(parseImageReference('127.0.0.1:5000/app')), '127.0.0.1:5000/app:latest');
});

test('the zod schema carries the parse error as its message', () => {
  const result = ImageReferenceString.safeParse('Bad/Name');
  assert.equal(result.success, false);
  assert.match(result.error?.issues[0]?.message ?? '', /invalid reference format/);
  assert.equal(ImageReferenceString.safeParse('busybox').success, true);
});
