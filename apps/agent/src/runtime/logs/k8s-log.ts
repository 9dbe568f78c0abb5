import { watch } from 'node:fs';
import { open, readFile, stat } from 'node:fs/promises';
import type { LogLine } from '@stevedore/shared';

/**
 * conmon's k8s-file log: one record per line, `<RFC3339Nano> <stdout|stderr> <F|P> <text>`, where
 * P marks a partial record continued by the next one of the same stream.
 */
export function parseK8sLog(text: string): LogLine[] {
  return new K8sLogParser().push(text);
}

/** Parses records as they arrive; a partial record waits for its continuation across chunks. */
export class K8sLogParser {
  private readonly partial: Partial<Record<LogLine['stream'], { time: string; text: string }>> = {};

  /** `text` must end at a record boundary (a newline). */
  push(text: string): LogLine[] {
    const lines: LogLine[] = [];
    for (const raw of text.split('\n')) {
      const match = /^(\S+) (stdout|stderr) ([FP]) ?(.*)$/.exec(raw);
      if (!match) continue;
      const [, time, stream, tag, content] = match as unknown as [
        string,
        string,
        LogLine['stream'],
        'F' | 'P',
        string,
      ];
      const pending = this.partial[stream];
      const joined = pending ? pending.text + content : content;
      if (tag === 'P') {
        this.partial[stream] = { time: pending?.time ?? time, text: joined };
        continue;
      }
      delete this.partial[stream];
      lines.push({ stream, time: pending?.time ?? time, text: joined });
    }
    return lines;
  }

  /** Records still waiting for their continuation, as partial lines (the writer is done). */
  flush(): LogLine[] {
    const lines: LogLine[] = [];
    for (const stream of ['stdout', 'stderr'] as const) {
      const pending = this.partial[stream];
      if (pending) lines.push({ stream, time: pending.time, text: pending.text, partial: true });
      delete this.partial[stream];
    }
    return lines;
  }
}

/** Timestamps compare as instants: RFC 3339 text with nanoseconds → nanoseconds since the epoch. */
export function toNanos(time: string): bigint {
  const match = /^(.*?)(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/.exec(time);
  if (!match) return BigInt(Date.parse(time)) * 1_000_000n;
  const seconds = BigInt(Date.parse(`${match[1]}${match[3]}`)) / 1000n;
  return seconds * 1_000_000_000n + BigInt((match[2] ?? '').padEnd(9, '0'));
}

/** `--since`/`--until` values: RFC 3339, Unix seconds (with fractions), or a duration like 10m. */
export function parseTimeBound(value: string, now = Date.now()): bigint {
  const duration = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(value);
  if (duration) {
    const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[duration[2] as 'ms' | 's' | 'm' | 'h'];
    return BigInt(Math.round(now - Number(duration[1]) * unit)) * 1_000_000n;
  }
  if (/^\d+(\.\d+)?$/.test(value)) {
    const [secs, frac = ''] = value.split('.');
    return BigInt(secs!) * 1_000_000_000n + BigInt(frac.padEnd(9, '0').slice(0, 9));
  }
  const parsed = Date.parse(value);
  if (Number.isNaN(parsed)) {
    throw new RangeError(`invalid time "${value}": use RFC 3339, Unix seconds or a duration such as 10m`);
  }
  return toNanos(value);
}

export interface LogQuery {
  tail: number | null;
  since: bigint | null;
  until: bigint | null;
}

export function selectLines(lines: LogLine[], query: LogQuery): LogLine[] {
  let selected = lines;
  if (query.since !== null || query.until !== null) {
    selected = selected.filter((line) => {
      const t = toNanos(line.time);
      return (query.since === null || t >= query.since) && (query.until === null || t <= query.until);
    });
  }
  if (query.tail !== null) selected = query.tail === 0 ? [] : selected.slice(-query.tail);
  return selected;
}

/**
 * The log as it is now (rotated files first, oldest first), and the byte offset the current
 * file's end was read at.
 */
export async function readLog(
  path: string,
  rotated: readonly string[] = [],
): Promise<{ lines: LogLine[]; offset: number }> {
  const read = (file: string) =>
    readFile(file).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return Buffer.alloc(0);
      throw error;
    });
  const parser = new K8sLogParser();
  const lines: LogLine[] = [];
  for (const file of rotated) {
    const data = await read(file);
    lines.push(...parser.push(data.subarray(0, data.lastIndexOf(0x0a) + 1).toString('utf8')));
  }
  const data = await read(path);
  // A record still being written has no newline yet; leave it for the follower.
  const end = data.lastIndexOf(0x0a) + 1;
  lines.push(...parser.push(data.subarray(0, end).toString('utf8')), ...parser.flush());
  return { lines, offset: end };
}

/**
 * New log records after `offset` as they are written, until `done()` says the writer has finished
 * and everything written has been read, or `signal` aborts. The file stays open, so a container
 * removed right after it exits (`--rm`) still has its last lines read; a rotation (a new file at
 * the path) is followed from its beginning.
 */
export async function* followLog(
  path: string,
  offset: number,
  done: () => boolean,
  signal: AbortSignal,
): AsyncGenerator<LogLine> {
  let position = offset;
  let parser = new K8sLogParser();
  let wake: (() => void) | null = null;
  const nudge = () => wake?.();
  let handle = await open(path, 'r').catch(() => null);
  const watcher = handle ? watch(path, nudge) : null;
  watcher?.on('error', nudge);
  // Inotify misses nothing while the file exists; the timer covers rotation and the final check.
  const timer = setInterval(nudge, 250);
  signal.addEventListener('abort', nudge);
  try {
    for (;;) {
      const finished = done();
      if (handle === null) handle = await open(path, 'r').catch(() => null);
      if (handle) {
        const size = (await handle.stat()).size;
        if (size > position) {
          const buffer = Buffer.alloc(size - position);
          const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
          const end = buffer.subarray(0, bytesRead).lastIndexOf(0x0a) + 1;
          position += end;
          yield* parser.push(buffer.subarray(0, end).toString('utf8'));
          continue;
        }
        const current = await stat(path).catch(() => null);
        if (current && current.ino !== (await handle.stat()).ino) {
          await handle.close();
          handle = null;
          position = 0;
          parser = new K8sLogParser();
          continue;
        }
      }
      if (finished || signal.aborted) {
        yield* parser.flush();
        return;
      }
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
      wake = null;
    }
  } finally {
    watcher?.close();
    clearInterval(timer);
    signal.removeEventListener('abort', nudge);
    await handle?.close();
  }
}
