import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { cgroupV1Abilities, cgroupV2Abilities, readKernelAbilities } from './kernel-abilities.js';

const dir = mkdtempSync(join(tmpdir(), 'stevedore-kernel-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('cgroup v2: the root controllers decide; kernel memory and oom-kill-disable never exist', () => {
  const all = cgroupV2Abilities('cpuset cpu io memory hugetlb pids rdma\n');
  assert.deepEqual(all, {
    MemoryLimit: true,
    SwapLimit: true,
    KernelMemory: false,
    KernelMemoryTCP: false,
    CpuCfsPeriod: true,
    CpuCfsQuota: true,
    CPUShares: true,
    CPUSet: true,
    PidsLimit: true,
    OomKillDisable: false,
  });
  const none = cgroupV2Abilities('io\n');
  assert.equal(none.MemoryLimit, false);
  assert.equal(none.CPUShares, false);
  assert.equal(none.PidsLimit, false);
});

test('cgroup v1: each ability is there when its file is (no swap accounting, no kmem)', () => {
  const present = new Set(['memory', 'memory/memory.oom_control', 'cpu/cpu.shares', 'cpuset']);
  const abilities = cgroupV1Abilities((file) => present.has(file));
  assert.equal(abilities.MemoryLimit, true);
  assert.equal(abilities.SwapLimit, false);
  assert.equal(abilities.KernelMemory, false);
  assert.equal(abilities.OomKillDisable, true);
  assert.equal(abilities.CPUShares, true);
  assert.equal(abilities.CpuCfsQuota, false);
  assert.equal(abilities.CPUSet, true);
  assert.equal(abilities.PidsLimit, false);
});

test('readKernelAbilities reads the cgroup root and the forwarding sysctls', async () => {
  const cgroupRoot = join(dir, 'cgroup');
  const procSys = join(dir, 'sys');
  mkdirSync(cgroupRoot);
  mkdirSync(join(procSys, 'net/ipv4'), { recursive: true });
  mkdirSync(join(procSys, 'net/bridge'), { recursive: true });
  writeFileSync(join(cgroupRoot, 'cgroup.controllers'), 'memory pids\n');
  writeFileSync(join(procSys, 'net/ipv4/ip_forward'), '1\n');
  writeFileSync(join(procSys, 'net/bridge/bridge-nf-call-iptables'), '0\n');
  // bridge-nf-call-ip6tables missing: br_netfilter not loaded, so not filtered.
  const abilities = await readKernelAbilities({ cgroupRoot, procSys });
  assert.equal(abilities.MemoryLimit, true);
  assert.equal(abilities.CPUShares, false);
  assert.equal(abilities.PidsLimit, true);
  assert.equal(abilities.IPv4Forwarding, true);
  assert.equal(abilities.BridgeNfIptables, false);
  assert.equal(abilities.BridgeNfIp6tables, false);
});
