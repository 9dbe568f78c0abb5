import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { HostConfigSchema } from '@stevedore/shared';
import { readHostResources } from '../src/host/host-resources.js';
import { v2Writes, writeCgroupFiles } from '../src/runtime/limits/cgroup-writer.js';
import { ContainerLimitsReader } from '../src/runtime/limits/container-limits.js';
import { useContainerAgent } from './harness/container-agent.js';

const MiB = 1024 * 1024;
const NEEDED = ['memory', 'cpu', 'pids'];
const writeFacts = { swapAccounting: true, blkioWeightFile: null, allCpus: '', allMemoryNodes: '' };

/** Mounts a fresh cgroup2 hierarchy on a temp dir for `body`, unmounted (and removed) after it, even on failure. */
async function withCgroup2Mount<T>(body: (root: string) => Promise<T>): Promise<T | null> {
  const root = mkdtempSync(join(tmpdir(), 'stevedore-cgroup2-'));
  const mounted = spawnSync('mount', ['-t', 'cgroup2', 'none', root], { encoding: 'utf8' });
  if (mounted.status !== 0) {
    rmdirSync(root);
    return null;
  }
  try {
    return await body(root);
  } finally {
    const unmounted = spawnSync('umount', [root], { encoding: 'utf8' });
    assert.equal(unmounted.status, 0, unmounted.stderr);
    rmdirSync(root);
  }
}

const controllersAt = (dir: string) =>
  readFileSync(join(dir, 'cgroup.controllers'), 'utf8').trim().split(/\s+/).filter(Boolean);

/**
 * The cgroup v2 side of live limits, through a cgroup2 mount the test makes. Where the kernel
 * lets memory, cpu and pids be used there (a v2 or v2-capable host), limits are written to a
 * cgroup of the test's own by the agent's v2 writer, read back by its reader, and cleared again. On a v1 host those controllers are bound to v1, so the
 * fresh mount has none: then the reader and writer are exercised on the real files the mount
 * does have (a real container's v2 directory, cgroup.procs) and the v2 formats stay covered by
 * the unit tests (src/runtime/limits/cgroup-limits.test.ts).
 */
describe('limits on cgroup v2, through a cgroup2 mount the test makes', () => {
  const suite = useContainerAgent();

  test('the v2 reader and writer on real cgroup2 files', async (t) => {
    const facts = await readHostResources();
    const ran = await withCgroup2Mount(async (root) => {
      const available = controllersAt(root);
      const missing = NEEDED.filter((name) => !available.includes(name));
      const reader = new ContainerLimitsReader({ ...facts, cgroupVersion: '2' }, root);
      if (missing.length === 0) {
        await limitsOnOwnCgroup(root, reader);
        return;
      }
      t.diagnostic(
        `cgroup2 mounted, but its controllers are "${available.join(' ')}": ${missing.join(', ')} ` +
          'are bound to the v1 hierarchies on this host, so no v2 limit file exists. Skipped: setting and ' +
          'clearing memory/cpu/pids limits in v2 files. Exercised instead: the reader on a real container’s ' +
          'v2 directory, the writer on cgroup.procs and cgroup.max.descendants, its refusal of a missing ' +
          'controller; v2 formats and conversions are unit-tested.',
      );
      await realContainerDirectory(root, reader);
      await writerOnOwnCgroup(root);
    });
    if (ran === null) t.skip('cannot mount cgroup2 here (not root, or no cgroup2 in the kernel)');
  });

  /** runc keeps each container in the v2 hierarchy too (hybrid mode): the reader finds it there. */
  async function realContainerDirectory(root: string, reader: ContainerLimitsReader) {
    const run = await suite.cli('run', '-d', '--memory', '64m', suite.image, 'sleep', '300');
    assert.equal(run.code, 0, run.stderr);
    const id = run.stdout.trim();
    try {
      const pid = await suite.inspect(id, '{{.State.Pid}}');
      const cgroupsPath = `/${suite.cgroupParent}/${id}`;
      const limits = reader.read({
        id,
        running: true,
        hostConfig: HostConfigSchema.parse({ Memory: 64 * MiB }),
        cgroupsPath,
      });
      assert.equal(limits.cgroupPath, join(root, cgroupsPath));
      assert.ok(existsSync(join(root, cgroupsPath)), 'the container’s v2 directory is in the mount');
      assert.match(
        readFileSync(join(root, cgroupsPath, 'cgroup.procs'), 'utf8'),
        new RegExp(`^${pid}$`, 'm'),
      );
      assert.deepEqual(limits.readings, [], 'no controller, no limit file: nothing is claimed');
      assert.equal(limits.configured.Memory, 64 * MiB);
      await assert.rejects(
        writeCgroupFiles(() => join(root, cgroupsPath), v2Writes(HostConfigSchema.parse({}), writeFacts)),
        /writing "max" to memory\.max failed: (ENOENT|EACCES) \(.*the controller is not enabled for this cgroup\)/,
      );
    } finally {
      await suite.cli('rm', '-f', id);
    }
  }

  /** The writer on files every cgroup2 directory has: moving a process in, limiting descendants. */
  async function writerOnOwnCgroup(root: string) {
    const dir = join(root, `stevedore-v2-test-${randomBytes(4).toString('hex')}`);
    mkdirSync(dir);
    const sleeper = spawn('sleep', ['60'], { stdio: 'ignore' });
    try {
      const pid = String(sleeper.pid);
      await writeCgroupFiles(
        () => dir,
        [
          { file: 'cgroup.max.descendants', value: '3' },
          { file: 'cgroup.procs', value: pid },
        ],
      );
      assert.equal(readFileSync(join(dir, 'cgroup.max.descendants'), 'utf8').trim(), '3');
      assert.equal(readFileSync(join(dir, 'cgroup.procs'), 'utf8').trim(), pid);
      assert.match(
        readFileSync(`/proc/${pid}/cgroup`, 'utf8'),
        new RegExp(`^0::/${dir.split('/').at(-1)}$`, 'm'),
      );
      await writeCgroupFiles(() => dir, [{ file: 'cgroup.max.descendants', value: 'max' }]);
      assert.equal(readFileSync(join(dir, 'cgroup.max.descendants'), 'utf8').trim(), 'max');
    } finally {
      sleeper.kill('SIGKILL');
      await new Promise((resolve) => sleeper.once('exit', resolve));
      rmdirSync(dir);
    }
  }

  /** A v2-capable host: limits written by the agent's v2 writer, read back, then cleared to "max". */
  async function limitsOnOwnCgroup(root: string, reader: ContainerLimitsReader) {
    const name = `stevedore-v2-test-${randomBytes(4).toString('hex')}`;
    const dir = join(root, name);
    const subtree = join(root, 'cgroup.subtree_control');
    const enabledBefore = readFileSync(subtree, 'utf8').trim().split(/\s+/).filter(Boolean);
    writeFileSync(
      subtree,
      NEEDED.filter((c) => !enabledBefore.includes(c))
        .map((c) => `+${c}`)
        .join(' '),
    );
    mkdirSync(dir);
    try {
      const facts = { ...writeFacts, swapAccounting: existsSync(join(dir, 'memory.swap.max')) };
      // cpuset is not among the controllers enabled here.
      const writable = (writes: { file: string; value: string }[]) =>
        writes.filter((w) => !w.file.startsWith('cpuset.'));
      const hostConfig = HostConfigSchema.parse({
        Memory: 64 * MiB,
        NanoCpus: 0.5e9,
        CpuShares: 512,
        PidsLimit: 20,
      });
      await writeCgroupFiles(() => dir, writable(v2Writes(hostConfig, facts)));
      assert.equal(readFileSync(join(dir, 'memory.max'), 'utf8').trim(), String(64 * MiB));
      assert.equal(readFileSync(join(dir, 'cpu.max'), 'utf8').trim(), '50000 100000');
      const set = reader.read({ id: name, running: true, hostConfig, cgroupsPath: `/${name}` });
      for (const reading of set.readings) assert.equal(reading.matches, true, JSON.stringify(reading));
      assert.equal(set.readings.find((r) => r.field === 'Memory')?.applied, 64 * MiB);
      assert.equal(set.readings.find((r) => r.field === 'CpuShares')?.applied, 512);

      const cleared = HostConfigSchema.parse({});
      await writeCgroupFiles(() => dir, writable(v2Writes(cleared, facts)));
      assert.equal(readFileSync(join(dir, 'memory.max'), 'utf8').trim(), 'max');
      assert.equal(readFileSync(join(dir, 'pids.max'), 'utf8').trim(), 'max');
      assert.equal(readFileSync(join(dir, 'cpu.weight'), 'utf8').trim(), '100');
      const back = reader.read({ id: name, running: true, hostConfig: cleared, cgroupsPath: `/${name}` });
      for (const reading of back.readings) assert.equal(reading.matches, true, JSON.stringify(reading));
    } finally {
      rmdirSync(dir);
      const added = NEEDED.filter((c) => !enabledBefore.includes(c));
      if (added.length > 0) writeFileSync(subtree, added.map((c) => `-${c}`).join(' '));
    }
  }
});
