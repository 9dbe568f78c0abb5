#!/usr/bin/env node
// `npm run bench [-- NAME...]`: measured, not asserted. Benchmarks:
//   agent   agent start-up time, idle memory, system.info latency, `stevedore info` wall time
//   pull    `stevedore pull` of a ~300 MB image of many small files from a local registry, against
//           the floor of fetching and unpacking the same layers with curl | tar in parallel
//   extract one ~50 MB layer of many small files unpacked by the agent's confined extractor,
//           in-process: wall time and CPU (user, system), against GNU tar unpacking the same tar
//   run     `stevedore run --rm IMAGE true` wall time (CLI and API), the bare `runc run` floor,
//           host memory per running container, and the stats sampler's CPU for 100 containers
//   web     the dashboard in Chromium: agent event → row in an open /events page (p50/p95/max), and
//           /hosts with 50 simulated hosts × 200 containers (load time, server CPU/RSS, main thread);
//           needs `npm run build` (scripts/bench/web.ts, scripts/bench/fleet-sim.ts)
// Results go to stdout as a table; copy them into BENCHMARKS.md with the command that produced them.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { connectAgentOnce } from '@stevedore/agent-api';
import { repoRoot } from './lib.mjs';

const agentBin = join(repoRoot, 'apps/agent/bin/stevedore-agent.js');
// The `stevedore` command as installed (it starts from the CLI's startup snapshot when current).
const cliBin = join(repoRoot, 'apps/agent/bin/stevedore');
/** When the pull benchmark last deleted files (see syncAndSettle). */
let lastDeletion = 0;

const benchmarks = {
  agent: benchAgent,
  pull: benchPull,
  extract: benchExtract,
  run: benchRun,
  web: async () => (await import('./bench/web.ts')).benchWeb(table),
};
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
      const result = spawnSync(cliBin, ['-H', `unix://${agent.socket}`, 'info'], {
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

async function benchPull() {
  const { startRegistry } = await import('../apps/agent/test/harness/registry.ts');
  const { pushImage } = await import('../apps/agent/test/harness/test-images.ts');
  const registry = await startRegistry();
  const scratch = mkdtempSync(join(tmpdir(), 'stevedore-bench-tar-'));
  try {
    // 6 layers x ~50 MB of 2-64 KiB text-like files (compressible, like real layers).
    const layers = [];
    let bytes = 0;
    let files = 0;
    for (let l = 0; l < 6; l++) {
      const entries = [];
      let layerBytes = 0;
      for (let f = 0; layerBytes < 50 * 1024 * 1024; f++) {
        const size = 2048 + ((f * 7919) % (62 * 1024));
        // Half random, half text: compresses about as well as typical binaries and sources (~2:1).
        const content = Buffer.concat([
          randomBytes(size >> 1),
          Buffer.alloc(size - (size >> 1), `file ${f} lorem ipsum `),
        ]);
        entries.push({ type: 'file', name: `data/l${l}/d${f % 64}/f${f}.txt`, content });
        layerBytes += size;
      }
      bytes += layerBytes;
      files += entries.length;
      layers.push(entries);
    }
    const image = await pushImage(registry, 'bench/many-files', 'v1', layers);
    const compressed = image.layers.reduce((sum, layer) => sum + layer.size, 0);

    // The same pull by Docker and Podman when this machine has them, from the same registry.
    const engines = ['docker', 'podman']
      .map((name) => ({ name, version: engineVersion(name) }))
      .filter((engine) => engine.version)
      .map(({ name, version }) => ({
        name,
        version,
        run: async () => {
          spawnSync(name, ['rmi', '-f', image.reference], { stdio: 'ignore' });
          filesDeleted();
          syncAndSettle();
          const t = performance.now();
          const result = spawnSync(
            name,
            ['pull', '-q', ...(name === 'podman' ? ['--tls-verify=false'] : []), image.reference],
            { encoding: 'utf8' },
          );
          const ms = performance.now() - t;
          spawnSync(name, ['rmi', '-f', image.reference], { stdio: 'ignore' });
          filesDeleted();
          if (result.status !== 0) throw new Error(`${name} pull failed: ${result.stderr.trim()}`);
          return ms;
        },
      }));
    // File creation on this kind of machine costs 20 µs to 1 ms depending on the moment, so one
    // sample of each contender says little: every contender runs once per round, in a rotating
    // order, after the page cache is written back, and the medians (and the per-round ratios) are
    // reported.
    const contenders = [
      {
        name: 'stevedore',
        run: async () => {
          const fresh = await startAgent();
          try {
            const t = performance.now();
            const result = spawnSync(
              cliBin,
              ['-H', `unix://${fresh.socket}`, 'pull', '-q', image.reference],
              {
                encoding: 'utf8',
              },
            );
            if (result.status !== 0) throw new Error(`stevedore pull failed: ${result.stderr}`);
            return performance.now() - t;
          } finally {
            await fresh.stop();
            filesDeleted();
          }
        },
      },
      {
        // The floor: every layer fetched and unpacked at once by curl | tar (no verification at all).
        name: 'floor',
        run: async () => {
          const t = performance.now();
          await Promise.all(
            image.layers.map((layer, i) => curlTar(registry, layer.digest, join(scratch, String(i)))),
          );
          const ms = performance.now() - t;
          rmSync(scratch, { recursive: true, force: true });
          filesDeleted();
          return ms;
        },
      },
      ...engines,
    ];
    const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
    const samples = new Map(contenders.map((c) => [c.name, []]));
    for (let round = 0; round < rounds; round++) {
      for (let k = 0; k < contenders.length; k++) {
        const contender = contenders[(round + k) % contenders.length];
        syncAndSettle();
        samples.get(contender.name).push(await contender.run());
      }
    }
    const ours = samples.get('stevedore');
    const seconds = (values) =>
      `${(median(values) / 1000).toFixed(2)} s (${values.map((v) => (v / 1000).toFixed(2)).join(' / ')})`;
    /** The median of the rounds' `a / b` time ratios. */
    const ratio = (a, b) => median(samples.get(a).map((v, i) => v / samples.get(b)[i])).toFixed(2);
    table('pull', [
      [
        'image',
        `${layers.length} layers, ${files} files, ${(bytes / 1048576).toFixed(0)} MiB (${(compressed / 1048576).toFixed(0)} MiB gzip)`,
      ],
      [
        `\`stevedore pull\` (verify digests + diff_ids, extract into overlay2), median of ${rounds} (each round)`,
        seconds(ours),
      ],
      [
        `curl piped to tar, all layers in parallel (no verification), median of ${rounds}`,
        seconds(samples.get('floor')),
      ],
      ["stevedore / floor, median of the rounds' ratios", `${ratio('stevedore', 'floor')}×`],
      ...(engines.length > 0
        ? engines.flatMap((engine) => [
            [
              `\`${engine.name} pull\` (${engine.version}), same image, same rounds`,
              seconds(samples.get(engine.name)),
            ],
            [
              `${engine.name} / stevedore, median of the rounds' ratios`,
              `${ratio(engine.name, 'stevedore')}× (Stevedore faster when above 1)`,
            ],
          ])
        : [['docker / podman', 'no engine on this machine']]),
    ]);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
    await registry.stop();
  }
}

async function benchExtract() {
  const { applyLayer } = await import('../apps/agent/src/storage/extract/apply-layer.ts');
  const { buildLayerTar } = await import('../apps/agent/test/harness/test-images.ts');
  const scratch = mkdtempSync(join(tmpdir(), 'stevedore-bench-extract-'));
  try {
    // The pull benchmark's layer shape: ~50 MB of 2-64 KiB files in 64 directories.
    const entries = [];
    let bytes = 0;
    for (let f = 0; bytes < 50 * 1024 * 1024; f++) {
      const size = 2048 + ((f * 7919) % (62 * 1024));
      const content = Buffer.concat([randomBytes(size >> 1), Buffer.alloc(size - (size >> 1), `file ${f} `)]);
      entries.push({ type: 'file', name: `data/d${f % 64}/f${f}.txt`, content });
      bytes += size;
    }
    const tarFile = join(scratch, 'layer.tar');
    writeFileSync(tarFile, await buildLayerTar(entries));
    const { createReadStream } = await import('node:fs');
    const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
    const ours = { wall: [], user: [], system: [] };
    const tar = { wall: [] };
    for (let round = 0; round < rounds; round++) {
      // Nothing is deleted until the end: a file made soon after a mass deletion costs far more here.
      const dir = join(scratch, `ours-${round}`);
      mkdirSync(dir);
      syncAndSettle();
      const cpu = process.cpuUsage();
      const t = performance.now();
      await applyLayer(createReadStream(tarFile), dir);
      ours.wall.push(performance.now() - t);
      const used = process.cpuUsage(cpu);
      ours.user.push(used.user / 1000);
      ours.system.push(used.system / 1000);
      const plain = join(scratch, `tar-${round}`);
      mkdirSync(plain);
      syncAndSettle();
      const t2 = performance.now();
      spawnSync('tar', ['-xf', tarFile, '-C', plain, '--numeric-owner'], { stdio: 'ignore' });
      tar.wall.push(performance.now() - t2);
    }
    const ms = (values) => `${median(values).toFixed(0)} ms (${values.map((v) => v.toFixed(0)).join(' / ')})`;
    table('extract', [
      ['layer', `${entries.length} files, ${(bytes / 1048576).toFixed(0)} MiB, 64 directories`],
      [`confined extraction, wall, median of ${rounds}`, ms(ours.wall)],
      ['confined extraction, CPU user', ms(ours.user)],
      ['confined extraction, CPU system', ms(ours.system)],
      ['GNU tar -x of the same tar, wall (floor)', ms(tar.wall)],
    ]);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
    filesDeleted();
  }
}

async function benchRun() {
  const { startRegistry } = await import('../apps/agent/test/harness/registry.ts');
  const { pushBusybox } = await import('../apps/agent/test/harness/test-images.ts');
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
  const floorDir = mkdtempSync(join(tmpdir(), 'stevedore-bench-runc-'));
  try {
    cli('pull', '-q', image);
    const connection = await connectAgentOnce({ host });
    const client = connection.client;
    const apiRun = async (hostConfig = { NetworkMode: 'none' }) => {
      const { Id } = await client.containers.create.mutate({
        Config: { Image: image, Cmd: ['true'] },
        HostConfig: { AutoRemove: true, ...hostConfig },
      });
      await new Promise((resolve, reject) => {
        const sub = client.containers.startAttached.subscribe(
          { container: Id },
          {
            onData: (event) => {
              if (event.type === 'exit') {
                resolve(event.result);
                sub.unsubscribe();
              }
            },
            onError: reject,
          },
        );
      });
    };
    for (let i = 0; i < 3; i++) await apiRun(); // warm-up
    const api = [];
    for (let i = 0; i < 20; i++) {
      const t = performance.now();
      await apiRun();
      api.push(performance.now() - t);
    }
    const timed = async (times, run) => {
      const samples = [];
      for (let i = 0; i < times; i++) {
        const t = performance.now();
        await run();
        samples.push(performance.now() - t);
      }
      return samples;
    };
    const apiBridge = await timed(20, () => apiRun({ NetworkMode: 'bridge' }));
    const published = { NetworkMode: 'bridge', PortBindings: { '80/tcp': [{ HostIp: '', HostPort: '' }] } };
    const apiPublished = await timed(20, () => apiRun(published));
    const cliTimes = await timed(10, () => cli('run', '--rm', '--network', 'none', image, 'true'));
    const cliPublished = await timed(10, () => cli('run', '--rm', '-p', '80', image, 'true'));
    // The same command with Docker, when this machine has it, from the same local registry.
    let dockerPublished = null;
    if (engineVersion('docker')) {
      const pulled = spawnSync('docker', ['pull', '-q', image], { encoding: 'utf8' });
      if (pulled.status === 0) {
        dockerPublished = await timed(10, () =>
          spawnSync('docker', ['run', '--rm', '-p', '80', image, 'true']),
        );
      }
    }
    const versionTimes = await timed(10, () => spawnSync(cliBin, ['--version']));
    const nodeTimes = await timed(10, () => spawnSync(process.execPath, ['-e', '0']));
    const { NODE_EXTRA_CA_CERTS: extraCas, ...withoutExtraCas } = process.env;
    const bareNodeTimes = await timed(10, () =>
      spawnSync(process.execPath, ['-e', '0'], { env: withoutExtraCas }),
    );

    // The floor: runc alone, on a plain directory copy of the same busybox, no conmon, no overlay.
    const rootfs = join(floorDir, 'rootfs');
    spawnSync('mkdir', [
      '-p',
      join(rootfs, 'bin'),
      join(rootfs, 'proc'),
      join(rootfs, 'sys'),
      join(rootfs, 'dev'),
    ]);
    spawnSync('cp', ['/bin/busybox', join(rootfs, 'bin/busybox')]);
    spawnSync('ln', ['-s', 'busybox', join(rootfs, 'bin/true')]);
    spawnSync('runc', ['spec', '-b', floorDir]);
    const spec = JSON.parse(readFileSync(join(floorDir, 'config.json'), 'utf8'));
    spec.process.terminal = false;
    spec.process.args = ['/bin/true'];
    writeFileSync(join(floorDir, 'config.json'), JSON.stringify(spec));
    const runcTimes = [];
    for (let i = 0; i < 10; i++) {
      const t = performance.now();
      const result = spawnSync('runc', [
        '--root',
        join(floorDir, 'state'),
        'run',
        '-b',
        floorDir,
        `bench-${i}`,
      ]);
      runcTimes.push(performance.now() - t);
      if (result.status !== 0) throw new Error(`runc run failed: ${result.stderr}`);
    }

    // Memory per running container: conmon's proportional set size (shared pages split fairly),
    // and how much the agent grows per container.
    const agentBefore = rssKiB(agent.child.pid);
    const ids = [];
    for (let i = 0; i < 20; i++)
      ids.push(cli('run', '-d', '--network', 'none', image, 'sleep', '3600').trim());
    await sleep(1000);
    const { conmonPidsFor } = await import('../apps/agent/test/harness/leftovers.ts');
    const conmonPss = conmonPidsFor(agent.base).map(pssKiB);
    const agentAfter = rssKiB(agent.child.pid);
    const perContainerKiB = conmonPss.reduce((a, b) => a + b, 0) / ids.length;

    // The stats sampler for 100 running containers: agent CPU with one `stats` stream open, minus
    // the same window idle.
    for (let i = 20; i < 100; i++)
      ids.push(cli('run', '-d', '--network', 'none', image, 'sleep', '3600').trim());
    await sleep(2000);
    // Three pairs of 10 s windows (idle, then one `stats` stream open); the median pair is reported.
    const window = 10_000;
    let batches = 0;
    const pairs = [];
    for (let round = 0; round < 3; round++) {
      const idle = await cpuOver(agent.child.pid, window);
      const sub = client.containers.stats.subscribe(
        { containers: [], stream: true },
        { onData: () => batches++ },
      );
      await sleep(1500); // the first tick opens every counter file once
      const busy = await cpuOver(agent.child.pid, window);
      sub.unsubscribe();
      pairs.push({
        user: busy.user - idle.user,
        system: busy.system - idle.system,
        total: busy.total - idle.total,
      });
    }
    const statsCost = pairs.sort((a, b) => a.total - b.total)[1];
    for (const id of ids) await client.containers.remove.mutate({ container: id, force: true });
    await connection.close();

    const pct = (ms) => `${((ms / window) * 100).toFixed(2)} %`;
    const docker = engineVersion('docker');
    const podman = engineVersion('podman');
    table('run', [
      [
        '`stevedore run --rm --network none busybox true`, CLI wall time (median of 10)',
        `${median(cliTimes).toFixed(0)} ms`,
      ],
      [
        '`stevedore run --rm -p 80 busybox true` (bridge, one published port), CLI wall time (median of 10)',
        `${median(cliPublished).toFixed(0)} ms`,
      ],
      [
        '`docker run --rm -p 80 busybox true`, same machine, same run (median of 10)',
        dockerPublished
          ? `${median(dockerPublished).toFixed(0)} ms (Stevedore ${(median(dockerPublished) / median(cliPublished)).toFixed(1)}× faster)`
          : 'no Docker engine on this machine',
      ],
      [
        '… of which the CLI process alone (`stevedore --version`, median of 10)',
        `${median(versionTimes).toFixed(0)} ms`,
      ],
      [
        extraCas
          ? "Node.js starting, `node -e 0` (median of 10), with this environment's NODE_EXTRA_CA_CERTS / without"
          : 'Node.js starting, `node -e 0` (median of 10)',
        extraCas
          ? `${median(nodeTimes).toFixed(0)} ms / ${median(bareNodeTimes).toFixed(0)} ms`
          : `${median(nodeTimes).toFixed(0)} ms`,
      ],
      [
        'create + start + attach until exit + auto-remove over the API, --network none (median of 20)',
        `${median(api).toFixed(0)} ms`,
      ],
      ['… the same on the default bridge (median of 20)', `${median(apiBridge).toFixed(0)} ms`],
      ['… on the bridge with one published port (median of 20)', `${median(apiPublished).toFixed(0)} ms`],
      ['bare `runc run` of the same binary (floor, median of 10)', `${median(runcTimes).toFixed(0)} ms`],
      [
        'conmon per running container (PSS, 20 containers, --network none)',
        `${(perContainerKiB / 1024).toFixed(2)} MiB`,
      ],
      [
        'agent RSS growth per running container (20 containers)',
        `${((agentAfter - agentBefore) / 1024 / 20).toFixed(2)} MiB`,
      ],
      [
        `stats sampler, 100 containers (--network none): agent CPU over idle (median of 3 × 10 s, ${batches} batches)`,
        `${pct(statsCost.total)} of a core (user ${pct(statsCost.user)}, kernel ${pct(statsCost.system)})`,
      ],
      ['docker / podman', docker || podman ? `${docker ?? ''} ${podman ?? ''}` : 'no engine on this machine'],
    ]);
  } finally {
    await agent.stop();
    removeCgroupDirs(cgroupParent);
    await registry.stop();
    rmSync(floorDir, { recursive: true, force: true });
    rmSync(dirname(configFile), { recursive: true, force: true });
  }
}

function curlTar(registry, digest, dir) {
  mkdirSync(dir, { recursive: true });
  return new Promise((resolve, reject) => {
    const url = `${registry.url}/v2/bench/many-files/blobs/${digest}`;
    const child = spawn('sh', ['-c', 'curl -sfL "$0" | tar -xz -C "$1"', url, dir], { stdio: 'ignore' });
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`curl | tar exited ${code}`))));
  });
}

/** Marks that the pull benchmark just removed files (see syncAndSettle). */
function filesDeleted() {
  lastDeletion = Date.now();
}

/**
 * Before each timed pull: the page cache written back, and no file deleted in the last 36 s. ext4
 * checks every free inode it considers for a new file against its deletion time, and skips those
 * freed in the last 30–35 s; after one contender's 9258 files were removed, the next one's file
 * creation spent most of its kernel time in that check (`perf`: `recently_deleted` under
 * `ext4_create`, 50–60 % of the agent's samples), and its kernel time went from 1.5 s to 6–10 s.
 */
function syncAndSettle() {
  spawnSync('sync');
  const quiet = Math.max(2000, lastDeletion + 36_000 - Date.now());
  spawnSync('sleep', [String(quiet / 1000)]);
}

function writeConfig(config) {
  const dir = mkdtempSync(join(tmpdir(), 'stevedore-bench-config-'));
  const file = join(dir, 'daemon.json');
  writeFileSync(file, JSON.stringify(config));
  return file;
}

function pssKiB(pid) {
  const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  return Number(/^Pss:\s+(\d+) kB/m.exec(rollup)?.[1] ?? Number.NaN);
}

/** CPU time the process used during the next `ms`, in ms: { user, system, total }. */
async function cpuOver(pid, ms) {
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

function engineVersion(name) {
  const result = spawnSync(name, ['version', '--format', '{{.Server.Version}}'], { encoding: 'utf8' });
  return result.status === 0 ? `${name} ${result.stdout.trim()}` : null;
}

function removeCgroupDirs(parent) {
  for (const hierarchy of readdirSync('/sys/fs/cgroup')) {
    spawnSync('rmdir', [join('/sys/fs/cgroup', hierarchy, parent)]);
  }
}

async function startAgent(extraArgs = []) {
  const base = mkdtempSync(join(tmpdir(), 'stevedore-bench-'));
  const socket = join(base, 'agent.sock');
  const started = performance.now();
  // A bridge and subnet of its own, so the benchmark never touches another agent's network.
  const octet = () => 100 + Math.floor(Math.random() * 150);
  const args = [
    agentBin,
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
      if (child.exitCode === null) await new Promise((r) => child.once('exit', r));
      spawnSync(process.execPath, [...args, '--cleanup'], { stdio: 'ignore' });
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
