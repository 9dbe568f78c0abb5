#!/usr/bin/env node
// `npm run bench [-- NAME...]`: measured, not asserted. Benchmarks:
//   agent   agent start-up time, idle memory, system.info latency, `stevedore info` wall time
// Results go to stdout as a table; copy them into BENCHMARKS.md with the command that produced them.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectAgentOnce } from '@stevedore/agent/client';
import { repoRoot } from './lib.mjs';

const agentBin = join(repoRoot, 'apps/agent/bin/stevedore-agent.js');
const cliBin = join(repoRoot, 'apps/agent/bin/stevedore.js');

const benchmarks = { agent: benchAgent };
const requested = process.argv.slice(2);
for (const name of requested.length ? requested : Object.keys(benchmarks)) {
  if (!benchmarks[name]) {
    console.error(`unknown benchmark "${name}"; available: ${Object.keys(benchmarks).join(', ')}`);
    process.exit(2);
  }
  await benchmarks[name]();
}

async function benchAgent() {
  const startups = [];
  const rss = [];
  for (let i = 0; i < 5; i++) {
    const agent = await startAgent();
    startups.push(agent.readyMs);
    await sleep(1000);
    rss.push(rssKiB(agent.child.pid));
    await agent.stop();
  }
  const agent = await startAgent();
  try {
    const connection = await connectAgentOnce({ host: `unix://${agent.socket}` });
    const latencies = [];
    for (let i = 0; i < 20; i++) await connection.client.system.info.query(); // warm-up
    for (let i = 0; i < 500; i++) {
      const t = performance.now();
      await connection.client.system.info.query();
      latencies.push(performance.now() - t);
    }
    await connection.close();
    const cli = [];
    for (let i = 0; i < 10; i++) {
      const t = performance.now();
      const result = spawnSync(process.execPath, [cliBin, '-H', `unix://${agent.socket}`, 'info'], {
        encoding: 'utf8',
      });
      if (result.status !== 0) throw new Error(`stevedore info failed: ${result.stderr}`);
      cli.push(performance.now() - t);
    }
    table('agent', [
      ['agent start → socket answers (median of 5)', `${median(startups).toFixed(0)} ms`],
      ['agent idle RSS after start (median of 5)', `${(median(rss) / 1024).toFixed(1)} MiB`],
      ['system.info over unix socket, p50 (500 calls)', `${percentile(latencies, 50).toFixed(2)} ms`],
      ['system.info over unix socket, p99 (500 calls)', `${percentile(latencies, 99).toFixed(2)} ms`],
      ['`stevedore info` wall time (median of 10)', `${median(cli).toFixed(0)} ms`],
    ]);
  } finally {
    await agent.stop();
  }
}

async function startAgent() {
  const base = mkdtempSync(join(tmpdir(), 'stevedore-bench-'));
  const socket = join(base, 'agent.sock');
  const started = performance.now();
  const child = spawn(
    process.execPath,
    [
      agentBin,
      '--data-root',
      join(base, 'data'),
      '--exec-root',
      join(base, 'exec'),
      '-H',
      `unix://${socket}`,
    ],
    { stdio: 'ignore' },
  );
  while (!(await answers(socket))) {
    if (child.exitCode !== null) throw new Error(`agent exited with ${child.exitCode}`);
    await sleep(5);
  }
  const readyMs = performance.now() - started;
  return {
    child,
    socket,
    readyMs,
    stop: async () => {
      child.kill('SIGTERM');
      if (child.exitCode === null) await new Promise((r) => child.once('exit', r));
      rmSync(base, { recursive: true, force: true });
    },
  };
}

function answers(path) {
  return new Promise((resolve) => {
    const socket = connect({ path });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function rssKiB(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? Number.NaN);
}

function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}
function median(values) {
  return percentile(values, 50);
}
function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function table(name, rows) {
  console.log(`\n## ${name}\n\n| measure | value |\n| --- | --- |`);
  for (const [k, v] of rows) console.log(`| ${k} | ${v} |`);
}
