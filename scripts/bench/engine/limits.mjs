// `npm run bench -- limits`: a live limit change, from the request to the new value in the
// container's cgroup file (issue 20's target: p95 ≤ 100 ms in the engine).
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { connectAgentOnce } from '@stevedore/agent-api';
import { cliBin, median, percentile, removeCgroupDirs, startAgent, table, writeConfig } from './common.mjs';

const MiB = 1024 * 1024;
const ROUNDS = 100;

const loadAverage = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
const ms = (value) => `${value.toFixed(1)} ms`;
const spread = (samples) =>
  `p50 ${ms(median(samples))}, p95 ${ms(percentile(samples, 95))}, max ${ms(Math.max(...samples))}`;

export async function benchLimits() {
  const { startRegistry } = await import('../../../apps/agent/test/harness/registry.ts');
  const { pushBusybox } = await import('../../../apps/agent/test/harness/test-images.ts');
  const registry = await startRegistry();
  const image = (await pushBusybox(registry)).reference;
  const cgroupParent = `stevedore-bench-${randomBytes(3).toString('hex')}`;
  const configFile = writeConfig({ 'cgroup-parent': cgroupParent });
  const agent = await startAgent(['--config-file', configFile]);
  const host = `unix://${agent.socket}`;
  const cli = (...args) => {
    const result = spawnSync(cliBin, ['-H', host, ...args], { encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`stevedore ${args.join(' ')} failed: ${result.stderr}`);
    return result.stdout;
  };
  const loadBefore = loadAverage();
  let connection = null;
  try {
    cli('pull', '-q', image);
    const id = cli('run', '-d', '--network', 'none', image, 'sleep', '600').trim();
    const v2 = readFileSync('/proc/self/mounts', 'utf8').includes(' /sys/fs/cgroup cgroup2 ');
    const memoryFile = v2
      ? join('/sys/fs/cgroup', cgroupParent, id, 'memory.max')
      : join('/sys/fs/cgroup/memory', cgroupParent, id, 'memory.limit_in_bytes');
    const limitNow = () => readFileSync(memoryFile, 'utf8').trim();
    connection = await connectAgentOnce({ host });
    const client = connection.client;

    // Alternating limits, so every round is a real change. The file is polled (every ms) while the
    // request is in flight: the kernel enforces the limit from then on; the answer comes after the
    // new configuration is durable on disk (fsync) and every limit file was read back.
    const apiRound = async (round) => {
      const bytes = (64 + (round % 2) * 32) * MiB;
      const started = performance.now();
      let answeredMs = null;
      const answer = client.containers.update
        .mutate({ container: id, resources: { Memory: bytes } })
        .then((result) => {
          answeredMs = performance.now() - started;
          return result;
        });
      let inFileMs = null;
      while (inFileMs === null && answeredMs === null) {
        if (limitNow() === String(bytes)) inFileMs = performance.now() - started;
        else await new Promise((resolve) => setTimeout(resolve, 1));
      }
      const result = await answer;
      if (limitNow() !== String(bytes))
        throw new Error(`round ${round}: the cgroup holds ${limitNow()}, not ${bytes}`);
      if (!result.limits.readings.find((r) => r.field === 'Memory')?.matches)
        throw new Error('read-back differs');
      return { inFile: inFileMs ?? answeredMs, answered: answeredMs };
    };
    for (let round = 0; round < 5; round++) await apiRound(round); // warm-up
    const rounds = [];
    for (let round = 0; round < ROUNDS; round++) rounds.push(await apiRound(round));
    const inFile = rounds.map((r) => r.inFile);
    const api = rounds.map((r) => r.answered);

    const clear = [];
    for (let round = 0; round < 20; round++) {
      const started = performance.now();
      await client.containers.update.mutate({ container: id, resources: { Memory: 0 } });
      const seen = limitNow();
      clear.push(performance.now() - started);
      if (!/^9223372036854771712$|^max$/.test(seen)) throw new Error(`clear left ${seen}`);
      await client.containers.update.mutate({ container: id, resources: { Memory: 64 * MiB } });
    }

    const reads = [];
    for (let round = 0; round < ROUNDS; round++) {
      const started = performance.now();
      await client.containers.limits.query({ container: id });
      reads.push(performance.now() - started);
    }

    const cliTimes = [];
    for (let round = 0; round < 20; round++) {
      const bytes = (64 + (round % 2) * 32) * MiB;
      const started = performance.now();
      cli('update', '--memory', String(bytes), id);
      const seen = limitNow();
      cliTimes.push(performance.now() - started);
      if (seen !== String(bytes)) throw new Error(`CLI round ${round}: the cgroup holds ${seen}`);
    }

    // The floor: runc update alone, the same change, on the same container.
    const runcRoot = join(agent.base, 'exec', 'runc');
    const runcTimes = [];
    for (let round = 0; round < 20; round++) {
      const bytes = (64 + (round % 2) * 32) * MiB;
      const started = performance.now();
      const result = spawnSync('runc', ['--root', runcRoot, 'update', '--memory', String(bytes), id]);
      runcTimes.push(performance.now() - started);
      if (result.status !== 0) throw new Error(`runc update failed: ${result.stderr}`);
    }
    cli('rm', '-f', id);

    table('limits (engine)', [
      [
        `\`containers.update\` (memory) → new value in ${v2 ? 'memory.max' : 'memory.limit_in_bytes'} (file polled every ms, ${ROUNDS} rounds)`,
        spread(inFile),
      ],
      ['… → the answer, after the config is fsynced and every limit file read back', spread(api)],
      ['clearing (Memory: 0) → unlimited in the file, over the API (20 rounds)', spread(clear)],
      [`\`containers.limits\` (read every limit file back, ${ROUNDS} rounds)`, spread(reads)],
      ['`stevedore update --memory N` → new value in the file, CLI wall time (20 rounds)', spread(cliTimes)],
      ['bare `runc update --memory N` on the same container (floor, 20 rounds)', spread(runcTimes)],
      ['load average (1, 5, 15 min) before / after', `${loadBefore} / ${loadAverage()}`],
    ]);
  } finally {
    await connection?.close();
    await agent.stop();
    removeCgroupDirs(cgroupParent);
    await registry.stop();
    rmSync(dirname(configFile), { recursive: true, force: true });
  }
}
