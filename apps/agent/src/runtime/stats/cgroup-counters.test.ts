import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { cpuPercent, memoryUsed, OpenCounterFiles, readCgroupCounters } from './cgroup-counters.js';

const root = mkdtempSync(join(tmpdir(), 'cgroup-tree-'));
after(() => rmSync(root, { recursive: true, force: true }));

function write(path: string, content: string) {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, content);
}

test('a cgroup v2 tree: cpu.stat usage_usec, memory.current minus inactive_file, io.stat, pids', async () => {
  const dir = join(root, 'v2', 'stevedore', 'abc');
  write(
    join(dir, 'cpu.stat'),
    'usage_usec 2500000\nuser_usec 2000000\nsystem_usec 500000\nnr_periods 40\nnr_throttled 12\nthrottled_usec 3500\n',
  );
  write(join(dir, 'memory.current'), '10485760\n');
  write(join(dir, 'memory.stat'), 'anon 4194304\nfile 6291456\ninactive_file 2097152\nactive_file 1048576\n');
  write(join(dir, 'memory.max'), '67108864\n');
  write(
    join(dir, 'io.stat'),
    '8:0 rbytes=4096 wbytes=8192 rios=1 wios=2\n8:16 rbytes=100 wbytes=0 rios=1 wios=0\n',
  );
  write(join(dir, 'pids.current'), '3\n');
  write(join(dir, 'memory.swap.current'), '1048576\n');
  const counters = readCgroupCounters('2', join(root, 'v2'), '/stevedore/abc');
  assert.deepEqual(counters, {
    cpuNanos: 2_500_000_000,
    memoryUsage: 10485760,
    inactiveFile: 2097152,
    memoryLimit: 67108864,
    blockRead: 4196,
    blockWrite: 8192,
    pids: 3,
    throttledPeriods: 12,
    throttledNanos: 3_500_000,
    periods: 40,
    swapUsage: 1048576,
  });
  assert.equal(memoryUsed(counters), 8388608);
  write(join(dir, 'memory.max'), 'max\n');
  assert.equal(readCgroupCounters('2', join(root, 'v2'), '/stevedore/abc').memoryLimit, null);
});

test('a cgroup v1 tree: cpuacct.usage, memory.usage_in_bytes minus total_inactive_file, blkio, pids, swap', async () => {
  const v1 = join(root, 'v1');
  write(join(v1, 'cpuacct/stevedore/abc/cpuacct.usage'), '123456789\n');
  write(join(v1, 'memory/stevedore/abc/memory.usage_in_bytes'), '5000000\n');
  write(
    join(v1, 'memory/stevedore/abc/memory.stat'),
    'cache 100\nswap 5\ninactive_file 7\ntotal_inactive_file 1000000\ntotal_swap 65536\n',
  );
  write(join(v1, 'memory/stevedore/abc/memory.limit_in_bytes'), '9223372036854771712\n');
  write(
    join(v1, 'blkio/stevedore/abc/blkio.throttle.io_service_bytes'),
    '8:0 Read 2048\n8:0 Write 1024\n8:0 Sync 3072\nTotal 3072\n',
  );
  write(join(v1, 'pids/stevedore/abc/pids.current'), '7\n');
  write(join(v1, 'cpu/stevedore/abc/cpu.stat'), 'nr_periods 9\nnr_throttled 4\nthrottled_time 2000000\n');
  const counters = readCgroupCounters('1', v1, '/stevedore/abc');
  assert.equal(counters.cpuNanos, 123456789);
  assert.equal(memoryUsed(counters), 4000000);
  assert.equal(counters.memoryLimit, null, 'the v1 "unlimited" number means no limit');
  assert.equal(counters.blockRead, 2048);
  assert.equal(counters.blockWrite, 1024);
  assert.equal(counters.pids, 7);
  assert.equal(counters.throttledPeriods, 4);
  assert.equal(counters.throttledNanos, 2_000_000);
  assert.equal(counters.periods, 9);
  assert.equal(counters.swapUsage, 65536, 'hierarchical total_swap');
  write(join(v1, 'memory/stevedore/abc/memory.stat'), 'cache 100\ntotal_inactive_file 1000000\n');
  assert.equal(
    readCgroupCounters('1', v1, '/stevedore/abc').swapUsage,
    0,
    'no swap accounting: no swap lines',
  );
});

test('CPU % is Δcontainer / Δsystem × online CPUs × 100, as docker stats computes it', () => {
  const counters = {
    cpuNanos: 0,
    memoryUsage: 0,
    inactiveFile: 0,
    memoryLimit: null,
    blockRead: 0,
    blockWrite: 0,
    pids: 0,
    throttledPeriods: 0,
    throttledNanos: 0,
    periods: 0,
    swapUsage: 0,
  };
  const before = { counters, systemCpuNanos: 10e9 };
  const after1 = { counters: { ...counters, cpuNanos: 0.5e9 }, systemCpuNanos: 12e9 };
  assert.equal(cpuPercent(before, after1, 2), 50);
  assert.equal(cpuPercent(null, after1, 2), 0);
});

test('counter files stay open and re-read the current content; retain closes the rest', () => {
  const files = new OpenCounterFiles();
  const path = join(root, 'counter');
  writeFileSync(path, '1\n');
  assert.equal(files.read(path), '1\n');
  writeFileSync(path, '22\n'); // same inode: truncated and rewritten
  assert.equal(files.read(path), '22\n');
  assert.equal(files.read(join(root, 'missing')), null);
  files.retain([]);
  rmSync(path);
  assert.equal(files.read(path), null, 'closed, so the removed file is not read through a stale descriptor');
  files.close();
});
