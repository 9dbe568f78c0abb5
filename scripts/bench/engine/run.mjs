import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { connectAgentOnce } from '@stevedore/agent-api';
import {
  cliBin,
  cpuOver,
  engineVersion,
  median,
  pssKiB,
  removeCgroupDirs,
  rssKiB,
  sleep,
  startAgent,
  table,
  writeConfig,
} from './common.mjs';

export async function benchRun() {
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
    const { conmonPidsFor } = await import('../../../apps/agent/test/harness/leftovers.ts');
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
