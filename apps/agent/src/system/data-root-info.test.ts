import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mountOf, parseMountinfo } from './data-root-info.js';

const MOUNTINFO = [
  '22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw,errors=remount-ro',
  '30 22 0:25 / /var/lib rw,nosuid shared:5 - xfs /dev/sdb1 rw,attr2',
  '31 30 0:26 / /var/lib/with\\040space rw - tmpfs tmpfs rw,size=1024k',
  '40 22 0:27 / /var/lib rw - btrfs /dev/sdc1 rw',
].join('\n');

test('mountinfo: fields before and after the separator, octal escapes undone', () => {
  const mounts = parseMountinfo(MOUNTINFO);
  assert.equal(mounts.length, 4);
  assert.deepEqual(mounts[2], {
    mountPoint: '/var/lib/with space',
    type: 'tmpfs',
    device: 'tmpfs',
    options: 'rw,rw,size=1024k',
  });
});

test('the mount of a path: longest mount point above it, the later of two at the same point', () => {
  const mounts = parseMountinfo(MOUNTINFO);
  assert.equal(mountOf(mounts, '/srv/data')?.type, 'ext4');
  assert.equal(mountOf(mounts, '/var/lib/stevedore')?.type, 'btrfs');
  assert.equal(mountOf(mounts, '/var/lib/with space/x')?.type, 'tmpfs');
  assert.equal(mountOf(mounts, '/var/library')?.type, 'ext4', 'a name prefix is not a parent');
});
