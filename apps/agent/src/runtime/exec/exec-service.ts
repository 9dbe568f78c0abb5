import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type ExecEvent, ExecInputSchema, type ExecRequest, StevedoreError } from '@stevedore/shared';
import type { HostResources } from '../../host/host-resources.js';
import { BoundedQueue } from '../../util/bounded-queue.js';
import type { Logger } from '../../util/logger.js';
import { grantedCapabilities, processRlimits } from '../bundle/build-spec.js';
import type { ContainerRecord } from '../containers/container-record.js';
import type { ContainerService } from '../containers/container-service.js';
import { startFailureExitCode } from '../containers/container-service.js';
import { processEnv } from '../containers/image-defaults.js';
import type { Runc } from '../oci/runc.js';
import { lookupUser } from '../rootfs/users.js';
import { type ProbeOutcome, runProbeProcess } from './probe-process.js';

/** Bytes of base64 output an exec may have queued for its caller before its pipes are paused. */
const EXEC_OUTPUT_HIGH_WATER_MARK = 1024 * 1024;

interface Session {
  write(data: Buffer): void;
  end(): void;
  resize(rows: number, cols: number): void;
}

/**
 * `docker exec`: a process started with `runc exec` inside a running container, so it has the
 * container's namespaces, cgroup, capabilities and seccomp filter. With a tty it runs on a real
 * pseudo-terminal (node-pty) that can be resized; stdin arrives through `write`.
 */
export class ExecService {
  private readonly sessions = new Map<string, Session>();

  constructor(
    private readonly containers: ContainerService,
    private readonly runc: Runc,
    private readonly host: HostResources,
    private readonly execRoot: string,
    private readonly log: Logger,
  ) {}

  /** `input` as the router validated it (defaults applied). */
  async *run(input: ExecRequest, signal: AbortSignal): AsyncGenerator<ExecEvent> {
    const execId = randomBytes(32).toString('hex');
    const { record, processFile } = await this.writeProcess(input, execId);
    const command = input.Cmd.join(' ');
    this.containers.publishExec(record, `exec_create: ${command}`, { execID: execId });
    const runcArgs = [
      '--root',
      this.runc.root,
      'exec',
      ...(input.Detach ? ['--detach'] : []),
      '--process',
      processFile,
      record.Id,
    ];

    // Output waits here for the connection; past the mark the process's pipes are paused.
    const producers: { pause(): void; resume(): void }[] = [];
    const queue = new BoundedQueue<ExecEvent>({
      highWaterMark: EXEC_OUTPUT_HIGH_WATER_MARK,
      sizeOf: (event) => (event.type === 'output' ? event.data.length : 0),
      pause: () => {
        for (const producer of producers) producer.pause();
      },
      resume: () => {
        for (const producer of producers) producer.resume();
      },
    });
    queue.push({ type: 'started', execId });
    let finished = false;
    const push = (event: ExecEvent) => queue.push(event);
    let stderrText = '';
    const exit = (code: number) => {
      if (finished) return;
      finished = true;
      this.sessions.delete(execId);
      void rm(processFile, { force: true });
      // runc itself failed before the command ran: map like `docker exec` (126/127).
      const exitCode =
        code === 255 && /exec failed|unable to start/.test(stderrText)
          ? startFailureExitCode(stderrText)
          : code;
      this.containers.publishExec(record, 'exec_die', { execID: execId, exitCode: String(exitCode) });
      push({ type: 'exit', exitCode });
      queue.close();
    };
    this.containers.publishExec(record, `exec_start: ${command}`, { execID: execId });

    if (input.Detach) {
      const child = spawn(this.runc.binary, runcArgs, { stdio: ['ignore', 'ignore', 'pipe'] });
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
        stderrText += chunk;
      });
      const code = await new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? 255)));
      await rm(processFile, { force: true });
      if (code !== 0) throw execFailure(record.Id, stderrText);
      yield { type: 'started', execId };
      return;
    }

    if (input.Tty) {
      // Loaded on first use: a host where the native module is missing still runs everything else.
      const pty = await import('node-pty');
      const terminal = pty.spawn(this.runc.binary, runcArgs, {
        cols: input.Cols,
        rows: input.Rows,
        env: { PATH: globalThis.process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin' },
      });
      terminal.onData((data) =>
        push({ type: 'output', stream: 'stdout', data: Buffer.from(data).toString('base64') }),
      );
      terminal.onExit(({ exitCode }) => exit(exitCode));
      producers.push(terminal);
      this.sessions.set(execId, {
        write: (data) => terminal.write(data.toString('utf8')),
        end: () => terminal.write('\x04'),
        resize: (rows, cols) => terminal.resize(cols, rows),
      });
    } else {
      const child: ChildProcess = spawn(this.runc.binary, runcArgs, { stdio: ['pipe', 'pipe', 'pipe'] });
      child.stdout?.on('data', (chunk: Buffer) =>
        push({ type: 'output', stream: 'stdout', data: chunk.toString('base64') }),
      );
      child.stderr?.on('data', (chunk: Buffer) => {
        // Only runc's own last words matter (the exit code mapping); a chatty process's stderr is not kept.
        stderrText = (stderrText + chunk.toString('utf8')).slice(-4096);
        push({ type: 'output', stream: 'stderr', data: chunk.toString('base64') });
      });
      if (child.stdout) producers.push(child.stdout);
      if (child.stderr) producers.push(child.stderr);
      child.stdin?.on('error', () => {});
      if (!input.AttachStdin) child.stdin?.end();
      child.on('close', (code, sig) => exit(code ?? 128 + (sig ? 9 : 0)));
      child.on('error', (error) => {
        stderrText += error.message;
        exit(126);
      });
      this.sessions.set(execId, {
        write: (data) => child.stdin?.write(data),
        end: () => child.stdin?.end(),
        resize: () => {},
      });
    }

    // When the caller leaves, the process goes on, like a detached `docker exec`.
    yield* queue.drain(signal);
  }

  /**
   * A healthcheck probe (runtime/health): `cmd` as an exec of the container, with no exec events
   * (a probe every interval of every container would crowd the events history out), its output
   * capped and the probe killed at `timeoutMs`.
   */
  async probe(container: string, cmd: string[], timeoutMs: number): Promise<ProbeOutcome> {
    const execId = randomBytes(32).toString('hex');
    const input = ExecInputSchema.parse({ container, Cmd: cmd });
    const { record, processFile } = await this.writeProcess(input, execId);
    const pidFile = join(this.execRoot, 'exec', `${execId}.pid`);
    try {
      return await runProbeProcess({
        runcBinary: this.runc.binary,
        runcArgs: [
          '--root',
          this.runc.root,
          'exec',
          '--pid-file',
          pidFile,
          '--process',
          processFile,
          record.Id,
        ],
        pidFile,
        timeoutMs,
        log: this.log,
      });
    } finally {
      await rm(processFile, { force: true });
      await rm(pidFile, { force: true });
    }
  }

  /** The OCI process of an exec (the container's user, env, capabilities, rlimits), written for `runc exec --process`. */
  private async writeProcess(
    input: ExecRequest,
    execId: string,
  ): Promise<{ record: ContainerRecord; processFile: string }> {
    const { record, rootfs } = this.containers.execTarget(input.container);
    const user = await lookupUser(rootfs, input.User || record.Config.User);
    const hostname = record.HostConfig.NetworkMode === 'host' ? '' : record.Config.Hostname;
    const baseEnv = processEnv({ ...record.Config, Tty: input.Tty }, hostname, user.home);
    const overrides = new Set(input.Env.map((entry) => entry.split('=', 1)[0]));
    // `exec --privileged` gets everything a privileged container would.
    const capabilities = grantedCapabilities(
      { ...record.HostConfig, Privileged: input.Privileged || record.HostConfig.Privileged },
      this.host.boundingCapabilities,
    );
    const process = {
      terminal: input.Tty,
      user: {
        uid: user.uid,
        gid: user.gid,
        ...(user.additionalGids.length ? { additionalGids: user.additionalGids } : {}),
      },
      args: input.Cmd,
      env: [
        ...baseEnv.filter((entry) => !overrides.has(entry.split('=', 1)[0])),
        ...input.Env.filter((e) => e.includes('=')),
      ],
      cwd: input.WorkingDir || record.Config.WorkingDir || '/',
      capabilities: { bounding: capabilities, effective: capabilities, permitted: capabilities },
      ...processRlimits(record.HostConfig),
      noNewPrivileges: record.HostConfig.SecurityOpt.some((opt) => /^no-new-privileges(:true)?$/.test(opt)),
    };
    const dir = join(this.execRoot, 'exec');
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const processFile = join(dir, `${execId}.json`);
    await writeFile(processFile, JSON.stringify(process), { mode: 0o600 });
    return { record, processFile };
  }

  write(execId: string, data: Buffer, eof: boolean): void {
    const session = this.require(execId);
    if (data.length > 0) session.write(data);
    if (eof) session.end();
  }

  resize(execId: string, rows: number, cols: number): void {
    this.require(execId).resize(rows, cols);
  }

  private require(execId: string): Session {
    const session = this.sessions.get(execId);
    if (!session) throw new StevedoreError('NOT_FOUND', `No such exec instance: ${execId}`, { execId });
    return session;
  }
}

function execFailure(id: string, stderr: string): StevedoreError {
  const message = stderr.trim().split('\n').at(-1) ?? 'runc exec failed';
  return new StevedoreError('FAILED_PRECONDITION', `OCI runtime exec failed: ${message}`, {
    container: id,
    exitCode: startFailureExitCode(message),
  });
}
