import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { readTextInRoot } from '../../storage/confined/read-in-root.js';
import { lookupUser, parseGroup, parsePasswd, resolveUser } from './users.js';

const passwd = parsePasswd('root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n# comment\n');
const groups = parseGroup('root:x:0:\napp:x:1000:\nwheel:x:10:app,root\ndocker:x:999:app\n');

test('names resolve through passwd and group; supplementary groups come from membership', () => {
  assert.deepEqual(resolveUser('app', passwd, groups), {
    uid: 1000,
    gid: 1000,
    additionalGids: [10, 999],
    home: '/home/app',
  });
  assert.deepEqual(resolveUser('', passwd, groups), { uid: 0, gid: 0, additionalGids: [10], home: '/root' });
  assert.deepEqual(resolveUser('app:wheel', passwd, groups), {
    uid: 1000,
    gid: 10,
    additionalGids: [],
    home: '/home/app',
  });
  assert.deepEqual(resolveUser('4242:4243', passwd, groups), {
    uid: 4242,
    gid: 4243,
    additionalGids: [],
    home: '/',
  });
  assert.throws(
    () => resolveUser('ghost', passwd, groups),
    /unable to find user ghost: no matching entries in passwd file/,
  );
  assert.throws(() => resolveUser('app:ghosts', passwd, groups), /unable to find group ghosts/);
});

test("the user is looked up with symlinks kept inside the root, so an image cannot point /etc/passwd at the host's", async () => {
  const root = mkdtempSync(join(tmpdir(), 'secure-join-'));
  try {
    mkdirSync(join(root, 'etc'));
    mkdirSync(join(root, 'real'));
    writeFileSync(join(root, 'real/passwd'), 'evil:x:4242:4242::/:/bin/sh\n');
    symlinkSync('/real/passwd', join(root, 'etc/passwd'));
    symlinkSync('../../../../../../etc', join(root, 'up'));
    // Resolving itself (absolute links from the root, .. never above it) is tested in storage/confined.
    assert.equal(readTextInRoot(root, '/etc/passwd'), 'evil:x:4242:4242::/:/bin/sh\n');
    const evil = 'evil:x:4242:4242::/:/bin/sh\n';
    assert.equal(
      readTextInRoot(root, '/up/passwd'),
      evil,
      "up -> ../../.. stops at the root: its /etc, not the host's",
    );
    assert.equal((await lookupUser(root, 'evil')).uid, 4242, 'read through the confined link');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
