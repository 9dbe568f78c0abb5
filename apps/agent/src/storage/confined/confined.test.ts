import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { isStevedoreError } from '@stevedore/shared/errors';
import { DirTree, TreeRefusal } from './dir-tree.js';
import { fdPath } from './fd-path.js';
import { readTextInRoot } from './read-in-root.js';
import { removeAt } from './remove-tree.js';
import { makeDirectoryInRoot, openDirectoryInRoot, resolveInRoot } from './resolve-in-root.js';

describe('confined tree operations', () => {
  let base: string;
  let root: string;
  let outside: string;
  before(() => {
    base = mkdtempSync(join(tmpdir(), 'stevedore-confined-'));
    root = join(base, 'root');
    outside = join(base, 'outside');
    mkdirSync(join(root, 'etc'), { recursive: true });
    mkdirSync(join(root, 'tmp'));
    mkdirSync(outside);
    writeFileSync(join(outside, 'secret'), 'host\n');
    writeFileSync(join(root, 'etc/passwd'), 'container\n');
    symlinkSync('/', join(root, 'tmp/root-link'));
    symlinkSync('../../../../../../etc', join(root, 'tmp/etc-link'));
    symlinkSync(outside, join(root, 'tmp/out-link'));
    symlinkSync('loop-b', join(root, 'tmp/loop-a'));
    symlinkSync('loop-a', join(root, 'tmp/loop-b'));
  });
  after(() => rmSync(base, { recursive: true, force: true }));

  const where = (path: string) => {
    const { parentFd, name } = resolveInRoot(root, path);
    try {
      return { dir: readlinkSync(fdPath(parentFd)), name };
    } finally {
      closeSync(parentFd);
    }
  };

  test('resolveInRoot resolves symlinks as a chroot would: absolute ones from the root, .. never above it', () => {
    assert.deepEqual(where('/tmp/root-link/etc/passwd'), { dir: join(root, 'etc'), name: 'passwd' });
    assert.deepEqual(where('/tmp/etc-link'), { dir: root, name: 'etc' });
    assert.deepEqual(where('/../../../etc/new'), { dir: join(root, 'etc'), name: 'new' });
    assert.deepEqual(where('/'), { dir: root, name: null });
    // A link to a host path is a path inside the root.
    assert.throws(
      () => where(`/tmp/out-link/secret`),
      (error) => isStevedoreError(error) && error.code === 'NOT_FOUND',
    );
    assert.throws(
      () => where('/tmp/loop-a/x'),
      (error) => isStevedoreError(error) && /too many levels of symbolic links/.test(error.message),
    );
  });

  test('openDirectoryInRoot opens the directory the container would see, or null', () => {
    const fd = openDirectoryInRoot(root, '/tmp/root-link/etc');
    assert.ok(fd !== null);
    try {
      assert.equal(readlinkSync(fdPath(fd)), join(root, 'etc'));
    } finally {
      closeSync(fd);
    }
    assert.equal(openDirectoryInRoot(root, '/nothing/here'), null);
    assert.equal(openDirectoryInRoot(root, '/etc/passwd'), null, 'a file is no directory');
    // makeDirectoryInRoot below makes this path inside the root.
    assert.equal(openDirectoryInRoot(root, '/tmp/out-link'), null, 'the host directory is not reached');
  });

  test('makeDirectoryInRoot makes missing directories through links resolved inside the root', () => {
    symlinkSync('/srv/app', join(root, 'app'));
    makeDirectoryInRoot(root, '/app/work');
    assert.ok(existsSync(join(root, 'srv/app/work')), "the absolute link led to the root's /srv");
    makeDirectoryInRoot(root, '/tmp/etc-link/made');
    assert.ok(existsSync(join(root, 'etc/made')), '.. in a link stopped at the root');
    assert.ok(!existsSync('/etc/made'));
    makeDirectoryInRoot(root, '/tmp/out-link/x');
    assert.ok(existsSync(join(root, base, 'outside/x')), 'a link to a host path is a path inside the root');
    assert.ok(!existsSync(join(outside, 'x')));
    makeDirectoryInRoot(root, '/srv/app/work'); // already there
    assert.throws(() => makeDirectoryInRoot(root, '/etc/passwd/x'), { code: 'ENOTDIR' });
  });

  test('readTextInRoot reads the container file, never the host one', () => {
    assert.equal(readTextInRoot(root, '/tmp/root-link/etc/passwd'), 'container\n');
    assert.equal(readTextInRoot(root, '/tmp/out-link/secret'), null);
    assert.equal(readTextInRoot(root, '/etc'), null);
    execFileSync('mkfifo', [join(root, 'etc/fifo')]);
    assert.equal(readTextInRoot(root, '/etc/fifo'), null, 'a fifo is no file, and reading it does not hang');
  });

  test('DirTree refuses symlinks and files on the way, and makes missing directories', () => {
    const tree = new DirTree(root);
    try {
      assert.throws(
        () => tree.directory(['tmp', 'root-link', 'etc'], true),
        (error) => {
          return (
            error instanceof TreeRefusal && error.reason === 'symlink' && error.component === 'root-link'
          );
        },
      );
      assert.throws(
        () => tree.directory(['etc', 'passwd', 'x'], true),
        (error) => {
          return error instanceof TreeRefusal && error.reason === 'not-a-directory';
        },
      );
      assert.equal(tree.directory(['new', 'deep'], false), null);
      const made = tree.directory(['new', 'deep'], true);
      assert.equal(readlinkSync(fdPath(made!)), join(root, 'new/deep'));
    } finally {
      tree.close();
    }
  });

  test('removeAt removes a tree without descending through its symlinks', () => {
    mkdirSync(join(root, 'doomed/sub'), { recursive: true });
    symlinkSync(outside, join(root, 'doomed/sub/link'));
    writeFileSync(join(root, 'doomed/file'), 'x');
    const tree = new DirTree(root);
    try {
      assert.equal(removeAt(tree.rootFd, 'doomed'), true);
      assert.equal(removeAt(tree.rootFd, 'doomed'), false);
    } finally {
      tree.close();
    }
    assert.equal(existsSync(join(root, 'doomed')), false);
    assert.equal(existsSync(join(outside, 'secret')), true, 'the link target outside is untouched');
  });
});
