import { randomUUID } from 'node:crypto';
import {
  type ConsoleEvent,
  type ConsoleOpenInput,
  ConsoleOpenInput as ConsoleOpenSchema,
  type ConsoleResizeInput,
  type ConsoleWriteInput,
  isStevedoreError,
  type SessionUser,
  StevedoreError,
} from '@stevedore/shared';
import type { Logger } from 'pino';
import type { Db } from '../db/client';
import { getHost } from '../db/repositories/hosts';
import type { AgentClient, AgentHub } from '../hub/agent-hub';
import { fromAgentError } from './agent-errors';
import { audited } from './audited';
import { ConsoleOutputQueue } from './console-output-queue';

interface ConsoleSession {
  userId: string;
  hostId: string;
  mode: 'exec' | 'attach';
  /** The agent's exec or attach id. */
  agentId: string;
}

/** Output of a failed start that names a missing executable (runc's words, through the pty). */
const MISSING_EXECUTABLE = /executable file not found|no such file or directory|exec format error/i;
const START_OUTPUT_KEPT = 4096;
const END_OF_INPUT_TRIES = 5;
const END_OF_INPUT_RETRY_MS = 1_000;

type Upstream =
  | { type: 'started'; id: string }
  | { type: 'output'; data: string }
  | { type: 'dropped'; bytes: number }
  | { type: 'exit'; event: ConsoleEvent & { type: 'exit' } };

/**
 * Browser terminals: each session proxies one agent exec (with a pty) or attach through the hub.
 * A session belongs to the user who opened it (nobody else may type into it or resize it), opening
 * one is audited, and output waits in a bounded queue for a browser that reads slowly.
 */
export class ConsoleService {
  private readonly sessions = new Map<string, ConsoleSession>();

  constructor(
    private readonly db: Db,
    private readonly hub: AgentHub,
    private readonly log: Logger,
  ) {}

  async *open(actor: SessionUser, raw: ConsoleOpenInput, signal: AbortSignal | undefined) {
    const input = ConsoleOpenSchema.parse(raw);
    const { hostId, container } = input;
    await getHost(this.db, hostId);
    const queue = new ConsoleOutputQueue<Upstream>((item) => (item.type === 'output' ? item.data.length : 0));
    let startOutput = '';
    let subscription: { unsubscribe(): void } | null = null;
    const unsubscribe = () => (subscription as { unsubscribe(): void } | null)?.unsubscribe();
    // The agent keeps an exec running when its caller leaves (like a detached `docker exec`), so a
    // shell the browser left gets end-of-input — once it reads: sent before it runs, it would be lost.
    // A shell that printed its prompt but has not yet switched its terminal to raw mode can miss the
    // first ^D, so it is sent again each second until the exit comes back, a few times at most.
    const shell = {
      execId: null as string | null,
      reading: false,
      left: false,
      ending: false,
      exited: false,
    };
    const endShellWhenReading = () => {
      if (!shell.left || shell.ending || shell.exited || !shell.execId || !shell.reading) return;
      shell.ending = true;
      const execId = shell.execId;
      let sent = 0;
      const send = () => {
        if (shell.exited) return;
        if (sent++ === END_OF_INPUT_TRIES) {
          unsubscribe();
          return;
        }
        this.endShell(hostId, container, execId);
        setTimeout(send, END_OF_INPUT_RETRY_MS).unref();
      };
      send();
    };
    const started = new Promise<string>((resolve, reject) => {
      const fail = (error: unknown) => {
        const failure = agentFailure(error, container);
        reject(failure);
        queue.fail(failure);
      };
      const subscribe = (client: AgentClient) =>
        input.mode === 'exec'
          ? client.containers.exec.subscribe(
              {
                container,
                Cmd: input.command,
                User: input.user,
                Tty: true,
                AttachStdin: true,
                Rows: input.rows,
                Cols: input.cols,
              },
              {
                onData: (event) => {
                  if (event.type === 'started') {
                    resolve(event.execId);
                    queue.push({ type: 'started', id: event.execId });
                    shell.execId = event.execId;
                  } else if (event.type === 'output') {
                    shell.reading = true;
                    endShellWhenReading();
                    if (startOutput.length < START_OUTPUT_KEPT) {
                      startOutput += Buffer.from(event.data, 'base64').toString('utf8');
                    }
                    queue.push({ type: 'output', data: event.data });
                  } else {
                    const missing =
                      event.exitCode !== 0 && MISSING_EXECUTABLE.test(startOutput) ? input.command[0] : null;
                    shell.exited = true;
                    queue.push({
                      type: 'exit',
                      event: { type: 'exit', exitCode: event.exitCode, missingCommand: missing ?? null },
                    });
                    queue.close();
                  }
                },
                onError: fail,
                onComplete: () => queue.close(),
              },
            )
          : client.containers.attach.subscribe(
              { container, rows: input.rows, cols: input.cols },
              {
                onData: (event) => {
                  if (event.type === 'attached') {
                    resolve(event.attachId);
                    queue.push({ type: 'started', id: event.attachId });
                  } else if (event.type === 'output') {
                    queue.push({ type: 'output', data: event.data });
                  } else if (event.type === 'dropped') {
                    queue.push({ type: 'dropped', bytes: event.bytes });
                  } else {
                    queue.push({
                      type: 'exit',
                      event: {
                        type: 'exit',
                        exitCode: event.result.StatusCode,
                        missingCommand: null,
                        result: event.result,
                      },
                    });
                    queue.close();
                  }
                },
                onError: fail,
                onComplete: () => queue.close(),
              },
            );
      this.hub
        .call(hostId, async (client) => {
          subscription = subscribe(client);
        })
        .catch(fail);
    });

    const params =
      input.mode === 'exec'
        ? { mode: input.mode, command: input.command, user: input.user || null }
        : { mode: input.mode };
    const agentId = await audited(
      this.db,
      actor,
      { action: `container.console.${input.mode}`, hostId, target: container, params },
      () => Promise.race([started, abandoned(signal, container)]),
    ).catch((error: unknown) => {
      if (input.mode === 'exec' && signal?.aborted) {
        // Left while the exec was starting: its subscription stays until the shell can be ended.
        shell.left = true;
        endShellWhenReading();
      } else {
        unsubscribe();
      }
      throw error;
    });

    const sessionId = randomUUID();
    this.sessions.set(sessionId, { userId: actor.id, hostId, mode: input.mode, agentId });
    let exited = false;
    try {
      yield { type: 'ready', sessionId } satisfies ConsoleEvent;
      for await (const queued of queue.drain(signal)) {
        if (queued.kind === 'dropped') {
          yield { type: 'dropped', bytes: queued.bytes } satisfies ConsoleEvent;
          continue;
        }
        const item = queued.item;
        if (item.type === 'output') yield { type: 'output', data: item.data } satisfies ConsoleEvent;
        else if (item.type === 'dropped') yield { type: 'dropped', bytes: item.bytes } satisfies ConsoleEvent;
        else if (item.type === 'exit') {
          exited = true;
          yield item.event;
        }
      }
    } finally {
      this.sessions.delete(sessionId);
      if (!exited && input.mode === 'exec') {
        shell.left = true;
        endShellWhenReading();
      } else {
        // An attached main process keeps running: detaching is all leaving does.
        unsubscribe();
      }
    }
  }

  /** End-of-input to a shell nobody reads any more, so it exits. */
  private endShell(hostId: string, container: string, execId: string): void {
    this.hub
      .call(hostId, (client) => client.containers.execWrite.mutate({ execId, eof: true }))
      .catch((error: unknown) =>
        this.log.debug({ err: error, hostId, container }, 'ending a left console shell failed'),
      );
  }

  async write(actor: SessionUser, input: ConsoleWriteInput): Promise<void> {
    const session = this.owned(actor, input.hostId, input.sessionId);
    await this.hub.call(session.hostId, (client) =>
      session.mode === 'exec'
        ? client.containers.execWrite.mutate({ execId: session.agentId, data: input.data })
        : client.containers.attachWrite.mutate({ attachId: session.agentId, data: input.data }),
    );
  }

  async resize(actor: SessionUser, input: ConsoleResizeInput): Promise<void> {
    const session = this.owned(actor, input.hostId, input.sessionId);
    const size = { rows: input.rows, cols: input.cols };
    await this.hub.call(session.hostId, (client) =>
      session.mode === 'exec'
        ? client.containers.execResize.mutate({ execId: session.agentId, ...size })
        : client.containers.attachResize.mutate({ attachId: session.agentId, ...size }),
    );
  }

  /** Open sessions (for tests and diagnostics). */
  get size(): number {
    return this.sessions.size;
  }

  /** Someone else's session is reported exactly like one that does not exist. */
  private owned(actor: SessionUser, hostId: string, sessionId: string): ConsoleSession {
    const session = this.sessions.get(sessionId);
    if (!session || session.userId !== actor.id || session.hostId !== hostId) {
      throw new StevedoreError('NOT_FOUND', `no open console session ${sessionId} of yours on this host`, {
        sessionId,
        hostId,
      });
    }
    return session;
  }
}

/** Rejects once `signal` aborts: the browser went away before the session opened. */
function abandoned(signal: AbortSignal | undefined, container: string): Promise<never> {
  return new Promise((_, reject) => {
    const leave = () =>
      reject(
        new StevedoreError('UNAVAILABLE', 'the console closed before its session opened', { container }),
      );
    if (signal?.aborted) leave();
    else signal?.addEventListener('abort', leave, { once: true });
  });
}

function agentFailure(error: unknown, container: string): unknown {
  const failure = fromAgentError(error, { container });
  if (isStevedoreError(failure)) return failure;
  const message = failure instanceof Error ? failure.message : String(failure);
  return new StevedoreError('FAILED_PRECONDITION', `console on ${container}: ${message}`, { container });
}
