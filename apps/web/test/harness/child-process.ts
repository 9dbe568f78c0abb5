// Child processes of the multi-process tests: the fleet simulator and cluster web processes.
import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';

const repoRoot = resolve(import.meta.dirname, '../../../..');

export interface Started {
  child: ChildProcess;
  line: Record<string, unknown>;
}

/** Starts a node+tsx child and resolves with the first JSON line it prints. */
export function startChild(args: string[], env: Record<string, string> = {}): Promise<Started> {
  return new Promise((resolveStart, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', ...args], {
      cwd: repoRoot,
      env: { ...process.env, ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      err += chunk.toString();
      if (process.env.CLUSTER_TEST_LOG) process.stderr.write(chunk);
    });
    let ready = false;
    child.stdout?.on('data', (chunk: Buffer) => {
      if (ready) {
        if (process.env.CLUSTER_TEST_LOG) process.stderr.write(chunk);
        return;
      }
      out += chunk.toString();
      // Log lines (pino, on stdout) may come first: the ready line is the one naming a port or sockets.
      for (const line of out.split('\n').slice(0, -1)) {
        const parsed = JSON.parse(line) as Record<string, unknown>;
        if ('port' in parsed || 'sockets' in parsed) {
          ready = true;
          resolveStart({ child, line: parsed });
        } else if (process.env.CLUSTER_TEST_LOG) process.stderr.write(`${line}\n`);
      }
      out = out.slice(out.lastIndexOf('\n') + 1);
    });
    child.once('exit', (code) =>
      reject(new Error(`${args[0]} exited (${code}) before it was ready: ${err}`)),
    );
  });
}

export function stop(child: ChildProcess | undefined, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((done) => {
    child.once('exit', () => done());
    child.kill(signal);
  });
}
