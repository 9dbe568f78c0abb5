import type { AttachEvent, LogLine, WaitResult } from '@stevedore/shared';

export type LineEvent = { type: 'line'; line: LogLine } | { type: 'exit'; result: WaitResult };

/**
 * `run` in the foreground of a container that keeps no log (`--log-driver none`): its output from
 * conmon's attach socket, cut into lines per stream as the log would have held them (a last line
 * without a newline is partial), stamped with the time it arrived.
 */
export async function* attachOutputAsLines(events: AsyncIterable<AttachEvent>): AsyncGenerator<LineEvent> {
  const pending = { stdout: '', stderr: '' };
  const flush = function* (stream: 'stdout' | 'stderr'): Generator<LineEvent> {
    if (pending[stream] === '') return;
    yield {
      type: 'line',
      line: { stream, time: new Date().toISOString(), text: pending[stream], partial: true },
    };
    pending[stream] = '';
  };
  for await (const event of events) {
    if (event.type === 'output') {
      const text = pending[event.stream] + Buffer.from(event.data, 'base64').toString('utf8');
      const lines = text.split('\n');
      pending[event.stream] = lines.pop() ?? '';
      const time = new Date().toISOString();
      for (const line of lines) yield { type: 'line', line: { stream: event.stream, time, text: line } };
    } else if (event.type === 'exit') {
      yield* flush('stdout');
      yield* flush('stderr');
      yield { type: 'exit', result: event.result };
    }
  }
}
