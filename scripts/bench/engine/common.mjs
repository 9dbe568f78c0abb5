// What the engine benchmarks share: the agent and CLI binaries, starting an agent, sampling a
// process, and the statistics and table every benchmark prints.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../../lib.mjs';

export const agentBin = join(repoRoot, 'apps/agent/bin/stevedore-agent.js');
// The `stevedore` command as installed (it starts from the CLI's startup snapshot when current).
export const cliBin = join(repoRoot, 'apps/agent/bin/stevedore');
/** When the pull benchmark last deleted files (see syncAndSettle). */
let lastDeletion = 0;

export function curlTar(registry, digest, dir) {
  mkdirSync(dir, { recursive: true });
  return new Promise((resolve, reject) => {
    const url = `${registry.url}/v2/bench/many-files/blobs/${digest}`;
    const child = spawn('sh', ['-c', 'curl -sfL "$0" | tar -xz -C "$1"', url, dir], { stdio: 'ignore' });
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`curl | tar exited ${code}`))));
  });
}

/** Marks that the pull benchmark just removed files (see syncAndSettle). */
export function filesDeleted() {
  lastDeletion = Date.now();
}

/**
 * Before each timed pull: the page cache written back, and no file deleted in the last 36 s. ext4
 * checks every free inode it considers for a new file against its deletion time, and skips those
 * freed in the last 30–35 s; after one contender's 9258 files were removed, the next one's file
 * creation spent most of its kernel time in that check (`perf`: `recently_deleted` under
 * `ext4_create`, 50–60 % of the agent's samples), and its kernel time went from 1.5 s to 6–10 s.
 */
export function syncAndSettle() {
  spawnSync('sync');
  const quiet = Math.max(2000, lastDeletion + 36_000 - Date.now());
  spawnSync('sleep', [String(quiet / 1000)]);
}

export function writeConfig(config) {
  const dir = mkdtempSync(join(tmpdir(), 'stevedore-bench-config-'));
  const file = join(dir, 'daemon.json');
  writeFileSync(file, JSON.stringify(config));
  return file;
}

export function pssKiB(pid) {
  const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  return Number(/^Pss:\s+(\d+) kB/m.exec(rollup)?.[1] ?? Number.NaN);
}

/** CPU time the process used during the next `ms`, in ms: { user, system, total }. */
export async function cpuOver(pid, ms) {
  const ticks = () => {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return [Number(fields[11]), Number(fields[12])];
  };
  const [user0, system0] = ticks();
  await sleep(ms);
  const [user1, system1] = ticks();
  const user = (user1 - user0) * 10; // USER_HZ = 100
  const system = (system1 - system0) * 10;
  return { user, system, total: user + system };
}

export function engineVersion(name) {
  const result = spawnSync(name, ['version', '--format', '{{.Server.Version}}'], { encoding: 'utf8' });
  return result.status === 0 ? `${name} ${result.stdout.trim()}` : null;
}

export function removeCgroupDirs(parent) {
  for (const hierarchy of readdirSync('/sys/fs/cgroup')) {
    spawnSync('rmdir', [join('/sys/fs/cgroup', hierarchy, parent)]);
  }
}

/** `bin`: another agent build to compare with (e.g. main's, for a before/after). */
export async function startAgent(extraArgs = [], bin = agentBin) {
  const base = mkdtempSync(join(tmpdir(), 'stevedore-bench-'));
  const socket = join(base, 'agent.sock');
  const started = performance.now();
  // A bridge and subnet of its own, so the benchmark never touches another agent's network.
  const octet = () => 100 + Math.floor(Math.random() * 150);
  const args = [
    bin,
    '--data-root',
    join(base, 'data'),
    '--exec-root',
    join(base, 'exec'),
    '-H',
    `unix://${socket}`,
    '--bridge',
    `sdb${randomBytes(4).toString('hex')}`,
    '--bip',
    `10.${octet()}.${octet()}.1/24`,
    ...extraArgs,
  ];
  const child = spawn(process.execPath, args, { stdio: 'ignore' });
  while (!(await answers(socket))) {
    if (child.exitCode !== null) throw new Error(`agent exited with ${child.exitCode}`);
    await sleep(5);
  }
  const readyMs = performance.now() - started;
  return {
    child,
    base,
    socket,
    readyMs,
    stop: async () => {
      child.kill('SIGTERM');
      if (child.exitCode === null && child.signalCode === null)
        await new Promise((r) => child.once('exit', r));
      spawnSync(process.execPath, [...args, '--cleanup'], { stdio: 'ignore' });
      rmSync(base, { recursive: true, force: true });
    },
  };
}

export function answers(path) {
  return new Promise((resolve) => {
    const socket = connect({ path });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export function rssKiB(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? Number.NaN);
}

export function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}
export function median(values) {
  return percentile(values, 50);
}
export function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export function table(name, rows) {
  console.log(`\n## ${name}\n\n| measure | value |\n| --- | --- |`);
  for (const [k, v] of rows) console.log(`| ${k} | ${v} |`);
}
