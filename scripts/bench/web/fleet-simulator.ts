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
