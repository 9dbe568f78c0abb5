import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Removes what an agent under `base` may leave when a test fails halfway: containers in its runc
 * root (killed, their cgroups removed), conmon monitors, and mounts below `base` (deepest first).
 * Synchronous, so it also works from a process 'exit' hook. Returns what it had to clean up.
 */
export function removeAgentLeftovers(base: string, execRoot: string): string[] {
  const cleaned: string[] = [];
  const runcRoot = join(execRoot, 'runc');
  const listed = spawnSync('runc', ['--root', runcRoot, 'list', '-q'], { encoding: 'utf8' });
  for (const id of listed.status === 0 ? listed.stdout.split('\n').filter(Boolean) : []) {
    spawnSync('runc', ['--root', runcRoot, 'delete', '--force', id]);
    cleaned.push(`container ${id.slice(0, 12)}`);
  }
  for (const pid of conmonPidsFor(base)) {
    try {
      process.kill(pid, 'SIGKILL');
      cleaned.push(`conmon ${pid}`);
    } catch {}
  }
  const mountPoints = readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[4] ?? '')
    .filter((point) => point.startsWith(`${base}/`))
    .sort((a, b) => b.length - a.length);
  for (const point of mountPoints) {
    spawnSync('umount', ['-l', point]);
    cleaned.push(`mount ${point}`);
  }
  return cleaned;
}

/** conmon monitors whose command line names a path under `base` (an agent's roots). */
export function conmonPidsFor(base: string): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((pid) => {
      try {
        const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
        return /(^|\/)conmon$/.test(cmdline.split('\0')[0] ?? '') && cmdline.includes(base);
      } catch {
        return false;
      }
    })
    .map(Number);
}

/**
 * Removes a test's directory tree without leaving it: GNU rm walks by file descriptor (a container
 * still running cannot swap a symlink in to lead it out) and does not cross into a mount left
 * below (reported, not followed). Node's recursive rmSync would do both.
 */
export function removeTestTree(dir: string): void {
  const removed = spawnSync('rm', ['-rf', '--one-file-system', '--', dir], { encoding: 'utf8' });
  if (removed.status !== 0) process.stderr.write(`test harness: ${dir} not fully removed: ${removed.stderr}`);
}
