import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { StevedoreError } from '@stevedore/shared';
import { execFile } from '../../util/exec.js';

export interface RuncState {
  id: string;
  pid: number;
  status: 'creating' | 'created' | 'running' | 'paused' | 'stopped';
  bundle: string;
}

/**
 * runc, with its state under this agent's exec-root (`--root`) so agents with different roots
 * never see each other's containers.
 */
export class Runc {
  constructor(
    readonly binary: string,
    readonly root: string,
  ) {}

  /** The arguments conmon passes to runc before its own. */
  get globalArgs(): string[] {
    return [`--root=${this.root}`];
  }

  async state(id: string): Promise<RuncState | null> {
    const result = await execFile(this.binary, ['--root', this.root, 'state', id]);
    if (result.code !== 0) {
      if (/does not exist|not exist/.test(result.stderr)) return null;
      throw this.failure('state', id, result.stderr);
    }
    return JSON.parse(result.stdout) as RuncState;
  }

  start(id: string): Promise<void> {
    return this.run('start', id, []);
  }

  /** `all`: signal every process of the container, not only its init. */
  kill(id: string, signal: number, all = false): Promise<void> {
    return this.run('kill', id, [...(all ? ['--all'] : []), id, String(signal)], false);
  }

  pause(id: string): Promise<void> {
    return this.run('pause', id, [id], false);
  }

  resume(id: string): Promise<void> {
    return this.run('resume', id, [id], false);
  }

  /**
   * Removes runc's state and the container's cgroup; `force` kills what still runs. Without a
   * state directory runc has nothing to delete (it would only say so), so no process is spawned:
   * this runs before every create and again at exit and removal.
   */
  async delete(id: string, force = false): Promise<void> {
    if (!existsSync(join(this.root, id))) return;
    const result = await execFile(this.binary, [
      '--root',
      this.root,
      'delete',
      ...(force ? ['--force'] : []),
      id,
    ]);
    if (result.code !== 0 && !/does not exist|not exist/.test(result.stderr)) {
      throw this.failure('delete', id, result.stderr);
    }
  }

  /**
   * `delete --force` before a container's files go. When runc cannot delete, the files may still
   * go only if runc says none of the container's processes runs (e.g. only its cgroup lingered);
   * otherwise this throws the delete's error, and the caller keeps the filesystem they stand on.
   */
  async deleteBeforeRemoval(id: string): Promise<{ leftover: StevedoreError | null }> {
    try {
      await this.delete(id, true);
      return { leftover: null };
    } catch (error) {
      const state = await this.state(id).catch(() => undefined);
      if (state === null || state?.status === 'stopped') return { leftover: error as StevedoreError };
      throw error;
    }
  }

  /** Pids of the container's processes in the host's pid namespace. */
  async ps(id: string): Promise<number[]> {
    const result = await execFile(this.binary, ['--root', this.root, 'ps', '--format', 'json', id]);
    if (result.code !== 0) throw this.failure('ps', id, result.stderr);
    return (JSON.parse(result.stdout) as number[] | null) ?? [];
  }

  private async run(
    command: string,
    id: string,
    args: string[],
    appendId = true,
    input?: string,
  ): Promise<void> {
    const result = await execFile(
      this.binary,
      ['--root', this.root, command, ...args, ...(appendId ? [id] : [])],
      {
        ...(input !== undefined ? { input } : {}),
      },
    );
    if (result.code !== 0) throw this.failure(command, id, result.stderr);
  }

  private failure(command: string, id: string, stderr: string): StevedoreError {
    return new StevedoreError(
      'INTERNAL',
      `runc ${command} ${id.slice(0, 12)} failed: ${runcMessage(stderr)}`,
      {
        container: id,
        command,
      },
    );
  }
}

/** runc logs errors as logfmt or JSON; the message is what a person needs. */
export function runcMessage(stderr: string): string {
  const lines = stderr.trim().split('\n').filter(Boolean);
  const last = lines.at(-1) ?? '';
  try {
    const parsed = JSON.parse(last) as { msg?: string };
    if (parsed.msg) return parsed.msg;
  } catch {
    // Not JSON: runc's logfmt, read below.
  }
  const msg = /msg="((?:[^"\\]|\\.)*)"/.exec(last)?.[1];
  return (msg ? msg.replace(/\\"/g, '"') : last) || 'no error output';
}
