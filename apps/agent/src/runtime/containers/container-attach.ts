import { randomBytes } from 'node:crypto';
import { type AttachEvent, type LogLine, StevedoreError } from '@stevedore/shared';
import { BoundedQueue } from '../../util/bounded-queue.js';
import { attachToConmon, type ConmonAttachment } from '../attach/conmon-attach.js';
import type { ContainerLogs } from './container-logs.js';
import { type ContainerContext, notRunning } from './service-context.js';
import type { ContainerStarter } from './start-container.js';

/** Bytes of base64 output an attach may have queued for its client before output is dropped. */
const ATTACH_OUTPUT_HIGH_WATER_MARK = 4 * 1024 * 1024;

/**
 * `run -it`, `attach`: sessions on conmon's attach socket (output out, input and terminal
 * resizes in), or, for a container with neither stdin nor a terminal, its followed log.
 */
export class AttachSessions {
  private readonly attachments = new Map<string, ConmonAttachment>();

  constructor(
    private readonly ctx: ContainerContext,
    private readonly logs: Pick<ContainerLogs, 'output'>,
    private readonly starter: Pick<ContainerStarter, 'start'>,
  ) {}

  /**
   * The container's stdio through conmon's attach socket, as raw bytes (a terminal's prompt has
   * no newline, so the line-based log cannot serve it). With `startIt` the socket is connected
   * between create and start, so no output is missed. Input and resizes go through `write` /
   * `resize` with the attach ID of the first event.
   */
  async *attach(
    ref: string,
    options: { startIt: boolean; rows: number; cols: number },
    signal: AbortSignal,
  ): AsyncGenerator<AttachEvent> {
    const { store, log } = this.ctx.deps;
    const id = store.get(ref).Id;
    const { Config } = store.get(id);
    const { LogConfig } = store.get(id).HostConfig;
    // Without a log (`--log-driver none`) the output is only on conmon's socket.
    if (!options.startIt && !Config.Tty && !Config.OpenStdin && LogConfig.Type !== 'none') {
      yield* this.attachToLog(id, signal);
      return;
    }
    const attachId = randomBytes(32).toString('hex');
    // conmon's socket cannot be paused: past the mark output is dropped, and the client told how much.
    let droppedBytes: number | null = null;
    const queue = new BoundedQueue<AttachEvent>({
      highWaterMark: ATTACH_OUTPUT_HIGH_WATER_MARK,
      sizeOf: (event) => (event.type === 'output' ? event.data.length : 0),
      pause: () => {
        droppedBytes = 0;
      },
      resume: () => {
        if (droppedBytes) queue.push({ type: 'dropped', bytes: droppedBytes });
        droppedBytes = null;
      },
    });
    queue.push({ type: 'attached', attachId });
    // Done when the container has exited and conmon has closed the socket (or a second later).
    let exited = false;
    let socketEnded = false;
    const closeWhenDone = () => {
      if (exited && (socketEnded || !options.startIt)) queue.close();
    };
    void this.ctx.waiters.nextExit(id).then(() => {
      exited = true;
      closeWhenDone();
      setTimeout(() => queue.close(), 1000).unref();
    });
    let attachment: ConmonAttachment | null = null;
    const connect = async (bundle: string) => {
      attachment = await attachToConmon(
        bundle,
        (stream, data) => {
          if (droppedBytes === null) queue.push({ type: 'output', stream, data: data.toString('base64') });
          else droppedBytes += data.length;
        },
        () => {
          socketEnded = true;
          closeWhenDone();
        },
      );
      this.attachments.set(attachId, attachment);
      this.ctx.publish(store.get(id), 'attach');
      if (store.get(id).Config.Tty) {
        // The terminal keeps its size until the client's next resize, which says it again.
        await attachment
          .resize(options.rows, options.cols)
          .catch((error) => log.debug({ err: error, id }, 'setting the terminal size at attach failed'));
      }
    };
    try {
      if (options.startIt) await this.starter.start(id, connect);
      else {
        const target = store.get(id);
        if (!target.State.Running) throw notRunning(target);
        await connect(this.ctx.runtimeDir(id));
      }
      yield* queue.drain(signal);
      if (signal.aborted) return;
      const after = store.find(id);
      yield {
        type: 'exit',
        result: { StatusCode: after?.State.ExitCode ?? 0, OOMKilled: after?.State.OOMKilled ?? false },
      };
    } finally {
      (attachment as ConmonAttachment | null)?.close();
      this.attachments.delete(attachId);
    }
  }

  /**
   * `attach` to a container with neither stdin nor a terminal: nothing to send it, and its output
   * is in the log, which is followed from now on. Reading the log waits for the client, so a
   * client that falls behind holds the reading back instead of output piling up in the agent.
   */
  private async *attachToLog(id: string, signal: AbortSignal): AsyncGenerator<AttachEvent> {
    const target = this.ctx.deps.store.get(id);
    if (!target.State.Running) throw notRunning(target);
    this.ctx.publish(target, 'attach');
    yield { type: 'attached', attachId: randomBytes(32).toString('hex') };
    const options = { follow: true, tail: 0, since: null, until: null, startIt: false };
    for await (const event of this.logs.output(id, options, signal)) {
      if (event.type === 'lines') yield* outputEvents(event.lines);
    }
    if (signal.aborted) return;
    yield { type: 'exit', result: await this.ctx.waiters.wait(id, 'not-running') };
  }

  write(attachId: string, data: Buffer, eof: boolean): void {
    const attachment = this.attachments.get(attachId);
    if (!attachment) throw new StevedoreError('NOT_FOUND', `No such attach session: ${attachId}`);
    if (data.length > 0) attachment.write(data);
    if (eof) attachment.end();
  }

  async resize(attachId: string, rows: number, cols: number): Promise<void> {
    const attachment = this.attachments.get(attachId);
    if (!attachment) throw new StevedoreError('NOT_FOUND', `No such attach session: ${attachId}`);
    await attachment.resize(rows, cols);
  }
}

/** Log lines as attach output: one event per run of lines of the same stream, as the bytes written. */
function* outputEvents(lines: readonly LogLine[]): Generator<AttachEvent> {
  let start = 0;
  for (let end = 1; end <= lines.length; end++) {
    const stream = (lines[start] as LogLine).stream;
    if (end < lines.length && (lines[end] as LogLine).stream === stream) continue;
    const text = lines
      .slice(start, end)
      .map((line) => (line.partial ? line.text : `${line.text}\n`))
      .join('');
    yield { type: 'output', stream, data: Buffer.from(text).toString('base64') };
    start = end;
  }
}
