import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AttachEvent } from '@stevedore/shared';
import { attachOutputAsLines } from './unlogged-output.js';

const output = (stream: 'stdout' | 'stderr', text: string): AttachEvent => ({
  type: 'output',
  stream,
  data: Buffer.from(text).toString('base64'),
});

test('attach output becomes lines per stream, a line split across packets joined, the unfinished last one partial', async () => {
  async function* events(): AsyncGenerator<AttachEvent> {
    yield { type: 'attached', attachId: 'a' };
    yield output('stdout', 'one\ntw');
    yield output('stderr', 'err\n');
    yield output('stdout', 'o\nthree');
    yield { type: 'exit', result: { StatusCode: 3, OOMKilled: false } };
  }
  const seen = [];
  for await (const event of attachOutputAsLines(events())) {
    seen.push(
      event.type === 'line' ? [event.line.stream, event.line.text, event.line.partial ?? false] : event,
    );
  }
  assert.deepEqual(seen, [
    ['stdout', 'one', false],
    ['stderr', 'err', false],
    ['stdout', 'two', false],
    ['stdout', 'three', true],
    { type: 'exit', result: { StatusCode: 3, OOMKilled: false } },
  ]);
});
