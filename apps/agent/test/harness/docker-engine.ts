/**
 * Debian's Docker Engine (docker.io) as a test oracle: dockerd on its OWN unix socket, data-root,
 * exec-root and pidfile under a temp dir, no default bridge (--bridge=none), no iptables, ip
 * forwarding or masquerading changes, user networks from a private pool the agent tests' random
 * 10.x bridges never use. Never the machine's /var/run/docker.sock. stop() ends it and removes
 * everything it made.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { removeAgentLeftovers, removeTestTree } from './leftovers.js';
import { type ExitResult, runToExit } from './run-to-exit.js';

/** Debian's client (20.10, the engine's own): a newer docker client elsewhere on PATH would differ. */
export const DOCKER_CLIENT = '/usr/bin/docker';
/** DIFFERENTIAL_DOCKERD: another dockerd build (or a missing path, to see the suite skip). */
export const DOCKERD = process.env.DIFFERENTIAL_DOCKERD ?? '/usr/sbin/dockerd';
/** Where Docker's user networks come from (`--default-address-pool`). */
export const DOCKER_ADDRESS_POOL = '192.168.240.0/20';

export interface DockerEngine {
  /** unix:///…/docker.sock */
  host: string;
  /** The docker CLI against this engine (`-H host`), whatever its exit code. */
  cli(args: readonly string[], timeoutMs?: number): Promise<ExitResult>;
  version: string;
  stop(): Promise<void>;
}

export type DockerStart = { engine: DockerEngine } | { unavailable: string };

/** Starts dockerd, or says why it cannot (not installed, not root, failed to start). */
export async function startDockerEngine(startTimeoutMs = 30_000): Promise<DockerStart> {
  if (process.getuid?.() !== 0) return { unavailable: 'dockerd needs root' };
  for (const program of [DOCKERD, DOCKER_CLIENT, '/usr/bin/containerd']) {
    if (!existsSync(program))
      return { unavailable: `${program} is not installed (apt-get install docker.io)` };
  }
  const base = mkdtempSync('/tmp/stevedore-dockerd-');
  const socketPath = join(base, 'docker.sock');
  const execRoot = join(base, 'exec');
  const host = `unix://${socketPath}`;
  const configFile = join(base, 'daemon.json');
  writeFileSync(configFile, '{}');
  const args = [
    '--host',
    host,
    '--data-root',
    join(base, 'data'),
    '--exec-root',
    execRoot,
    '--pidfile',
    join(base, 'docker.pid'),
    // Its own containerd (dockerd starts one under exec-root), in a namespace of its own.
    '--containerd-namespace',
    'stevedore-differential',
    '--containerd-plugins-namespace',
    'stevedore-differential-plugins',
    '--bridge=none',
    '--iptables=false',
    '--ip6tables=false',
    '--ip-forward=false',
    '--ip-masq=false',
    '--default-address-pool',
    `base=${DOCKER_ADDRESS_POOL},size=24`,
    '--storage-driver',
    'overlay2',
    '--log-level',
    'warn',
    // A config file of its own: never the machine's /etc/docker/daemon.json.
    '--config-file',
    configFile,
  ];
  const child: ChildProcess = spawn(DOCKERD, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    log += chunk.toString();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const cli = (cliArgs: readonly string[], timeoutMs = 60_000) =>
    runToExit(DOCKER_CLIENT, ['-H', host, ...cliArgs], {
      cwd: base,
      // No DOCKER_* from the machine (DOCKER_HOST, DOCKER_CONFIG…): a config dir of its own.
      env: {
        PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin',
        HOME: base,
        DOCKER_CONFIG: join(base, 'client'),
      },
      timeoutMs,
      what: `docker ${cliArgs.join(' ')}`,
    });
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      // Containers first (dockerd would otherwise wait 10 s per running one).
      const ids = await cli(['ps', '-aq']).catch(() => null);
      const list = ids?.stdout.split('\n').filter(Boolean) ?? [];
      if (list.length > 0) await cli(['rm', '-f', ...list]).catch(() => null);
      child.kill('SIGTERM');
      const force = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(force);
    }
    removeEverything();
  };
  /** Synchronous, so it also runs from the 'exit' hook of a test process that ends early. */
  const removeEverything = () => {
    process.off('exit', removeEverything);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    // A dockerd killed hard leaves its containerd and shims: end the ones under our roots.
    for (const pid of pidsMentioning(base)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone: nothing to end.
      }
    }
    removeAgentLeftovers(base, execRoot);
    removeTestTree(base);
  };
  process.on('exit', removeEverything);

  const deadline = Date.now() + startTimeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      await stop();
      return { unavailable: `dockerd exited at start: ${log.trim().split('\n').slice(-5).join('\n')}` };
    }
    if (existsSync(socketPath)) {
      const probe = await cli(['version', '--format', '{{.Server.Version}}'], 10_000).catch(() => null);
      if (probe?.code === 0) return { engine: { host, cli, version: probe.stdout.trim(), stop } };
    }
    if (Date.now() > deadline) {
      await stop();
      return { unavailable: `dockerd did not answer within ${startTimeoutMs} ms: ${log.trim().slice(-500)}` };
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Processes whose command line names a path under `base` (dockerd's containerd and shims). */
function pidsMentioning(base: string): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name) && Number(name) !== process.pid)
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(base);
      } catch {
        return false;
      }
    })
    .map(Number);
}
