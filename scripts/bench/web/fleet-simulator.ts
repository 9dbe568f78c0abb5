/** The simulated fleet (scripts/bench/fleet-sim.ts) as a child process serving agent APIs on unix sockets. */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';

const repoRoot = resolve(import.meta.dirname, '../../..');

export interface FleetShape {
  hosts: number;
  containers: number;
  /** Each simulated host reports one container event this often. */
  eventEveryMs: number;
  /** How long a simulated `containers.update` takes (a real engine's `runc update`); 0 by default. */
  updateMs?: number;
}

/**
 * A benchmark's fleet shape, its defaults overridden by FLEET_HOSTS, FLEET_CONTAINERS (per host) and
 * FLEET_EVENTS_PER_S (container events per second across the whole fleet), e.g.
 * `FLEET_HOSTS=500 FLEET_CONTAINERS=50 npm run bench -- web`.
 */
export function fleetShapeFromEnv(defaults: {
  hosts: number;
  containers: number;
  eventEveryMs: number;
}): FleetShape {
  const read = (name: string, fallback: number) => {
    const raw = process.env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 0)
      throw new Error(`${name} must be a whole number, not "${raw}"`);
    return value;
  };
  const hosts = read('FLEET_HOSTS', defaults.hosts);
  const containers = read('FLEET_CONTAINERS', defaults.containers);
  const defaultRate = defaults.eventEveryMs > 0 ? (defaults.hosts * 1000) / defaults.eventEveryMs : 0;
  const eventsPerSecond = read('FLEET_EVENTS_PER_S', defaultRate);
  return {
    hosts,
    containers,
    eventEveryMs: eventsPerSecond > 0 ? Math.round((hosts * 1000) / eventsPerSecond) : 0,
  };
}

export interface Simulator {
  child: ChildProcess;
  sockets: string[];
  stop(): Promise<void>;
}

export async function startSimulator(fleet: FleetShape): Promise<Simulator> {
  const dir = mkdtempSync(join(tmpdir(), 'stevedore-bench-fleet-'));
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      join(repoRoot, 'scripts/bench/fleet-sim.ts'),
      dir,
      String(fleet.hosts),
      String(fleet.containers),
      String(fleet.eventEveryMs),
      String(fleet.updateMs ?? 0),
    ],
    { cwd: repoRoot, stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const force = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(force);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const sockets = await new Promise<string[]>((resolveReady, reject) => {
      const timer = setTimeout(
        () => reject(new Error('the fleet simulator did not start within 60 s')),
        60_000,
      );
      child.once('exit', (code) => reject(new Error(`the fleet simulator exited with ${code}`)));
      createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
        const message = JSON.parse(line) as { ready?: boolean; sockets?: string[] };
        if (message.ready && message.sockets) {
          clearTimeout(timer);
          resolveReady(message.sockets);
        }
      });
    });
    return { child, sockets, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
