// `npm run bench logrotate`: what rotation costs a container that logs at full speed. A busybox
// writer puts N numbered lines out and exits; the time from `start` to its exit gives the lines a
// second that reach the log files, with max-size=64k (max-file high enough to keep every file,
// so the files can be checked for lost lines) and with rotation off. Two writers: sh (a write(2)
// per line) and awk (4 KiB writes). Also the agent's CPU while it rotates. BENCH_BASELINE_AGENT=
// <path of another build's bin/stevedore-agent.js> measures that build the same way (e.g. main's,
// as "before").
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cliBin, removeCgroupDirs, startAgent, table, writeConfig } from './common.mjs';

const LINES = 50_000;
const PAD = 200;
const WRITERS = {
  sh: `pad=$(printf %0${PAD}d 0); i=0; while [ $i -lt ${LINES} ]; do i=$((i+1)); echo "L$i $pad"; done`,
  awk: `awk 'BEGIN { pad = sprintf("%0${PAD}d", 0); for (i = 1; i <= ${LINES}; i++) print "L" i " " pad }'`,
};
const LIMITS = {
  'max-size=64k': ['--log-opt', 'max-size=64k', '--log-opt', 'max-file=10000'],
  'no rotation': ['--log-opt', 'max-size=-1'],
};
const ROUNDS = 2;

export async function benchLogrotate() {
  const baseline = process.env.BENCH_BASELINE_AGENT;
  const rows = await measure('this build');
  if (baseline) rows.push(...(await measure('baseline', baseline)));
  table(`logrotate (${LINES.toLocaleString('en')} lines of ${PAD + 8} bytes; median of ${ROUNDS})`, rows);
}

async function measure(label, bin) {
  const { startRegistry } = await import('../../../apps/agent/test/harness/registry.ts');
  const { pushBusybox } = await import('../../../apps/agent/test/harness/test-images.ts');
  const registry = await startRegistry();
  const image = (await pushBusybox(registry)).reference;
  const cgroupParent = `stevedore-bench-${randomBytes(3).toString('hex')}`;
  const agent = await startAgent(['--config-file', writeConfig({ 'cgroup-parent': cgroupParent })], bin);
  const host = `unix://${agent.socket}`;
  const cli = (...args) => {
    const result = spawnSync(cliBin, ['-H', host, ...args], { encoding: 'utf8', maxBuffer: 1 << 30 });
    if (result.status !== 0) throw new Error(`stevedore ${args.join(' ')} failed: ${result.stderr}`);
    return result.stdout;
  };
  const rows = [];
  try {
    cli('pull', '-q', image);
    for (const [writer, script] of Object.entries(WRITERS)) {
      for (const [limit, opts] of Object.entries(LIMITS)) {
        const rates = [];
        const cpus = [];
        const lost = [];
        for (let round = 0; round < ROUNDS; round++) {
          const id = cli('create', '--network', 'none', ...opts, image, 'sh', '-c', script).trim();
          const cpuBefore = cpuMs(agent.child.pid);
          const started = performance.now();
          cli('start', id);
          cli('wait', id);
          const seconds = (performance.now() - started) / 1000;
          cpus.push((cpuMs(agent.child.pid) - cpuBefore) / 10 / seconds);
          rates.push(LINES / seconds);
          lost.push(LINES - linesInFiles(join(agent.base, 'data', 'containers', id), id));
          cli('rm', id);
        }
        const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
        rows.push([
          `${label}: ${writer}, ${limit}: lines/s to the files (rounds)`,
          `${Math.round(median(rates)).toLocaleString('en')} (${rates.map((r) => Math.round(r)).join(', ')})`,
        ]);
        rows.push([`${label}: ${writer}, ${limit}: lines lost (each round)`, lost.join(', ')]);
        rows.push([
          `${label}: ${writer}, ${limit}: agent CPU, % of a core`,
          cpus.map((c) => c.toFixed(1)).join(', '),
        ]);
      }
    }
  } finally {
    await agent.stop();
    removeCgroupDirs(cgroupParent);
    await registry.stop();
  }
  return rows;
}

/** Whole distinct `L<n>` lines in the container's log files, oldest first (`P` parts joined). */
function linesInFiles(dir, id) {
  const generation = (name) => (name === `${id}.log` ? 0 : Number(name.slice(`${id}.log.`.length)));
  const files = readdirSync(dir)
    .filter((name) => name === `${id}.log` || /^\d+$/.test(name.slice(`${id}.log.`.length)))
    .filter((name) => name.startsWith(`${id}.log`))
    .sort((a, b) => generation(b) - generation(a));
  const seen = new Set();
  let pending = '';
  for (const name of files) {
    for (const record of readFileSync(join(dir, name), 'utf8').split('\n')) {
      const match = /^\S+ stdout ([FP]) (.*)$/.exec(record);
      if (!match) continue;
      pending += match[2];
      if (match[1] === 'P') continue;
      const number = /^L(\d+) 0+$/.exec(pending)?.[1];
      if (number) seen.add(Number(number));
      pending = '';
    }
  }
  return seen.size;
}

/** CPU time (user + system) the process has used, in ms. */
function cpuMs(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}
