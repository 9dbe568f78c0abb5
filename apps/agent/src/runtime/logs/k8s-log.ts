import type { LogLine } from '@stevedore/shared';
import { toNanos } from '../../util/time-bound.js';

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

export interface LogQuery {
  tail: number | null;
  since: bigint | null;
  until: bigint | null;
}

/** Whether a line's time is within the query's `since`/`until` (tail is applied by the reader). */
export function inTimeRange(line: LogLine, query: LogQuery): boolean {
  if (query.since === null && query.until === null) return true;
  const t = toNanos(line.time);
  return (query.since === null || t >= query.since) && (query.until === null || t <= query.until);
}

/** The tag of a record from its first bytes (`<time> <stream> <F|P> `), or null if it is not one. */
export function recordTag(head: Buffer): 'F' | 'P' | null {
  const match = /^\S+ (?:stdout|stderr) ([FP])/.exec(head.toString('latin1'));
  return match ? (match[1] as 'F' | 'P') : null;
}
