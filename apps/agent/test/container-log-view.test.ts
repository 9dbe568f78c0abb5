/**
 * Issue 19, the log viewer's reads on a real agent: pages of the whole log (every rotated file)
 * in both directions, following with cursors while conmon rotates, search across the files, and
 * a catastrophic regular expression that must not stall the agent.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type AgentConnection, createAgentClient } from '@stevedore/agent-api';
import type { LogCursor, LogViewLine } from '@stevedore/shared';
import { useContainerAgent } from './harness/container-agent.js';
import { until } from './harness/until.js';

describe('containers: the log viewer reads the whole log', { timeout: 600_000 }, () => {
  const suite = useContainerAgent();
  const { cli, runDetached } = suite;
  let local: AgentConnection;
  before(() => {
    local = createAgentClient({ host: suite.agent.host });
  });
  after(async () => {
    await local?.close();
  });
  const logFileCount = (id: string) =>
    readdirSync(join(suite.agent.dataRoot, 'containers', id)).filter((n) => n.startsWith(`${id}.log`)).length;

  test('pages walk 20,000 lines over many rotated files both ways; search and count across them', async () => {
    const id = await runDetached(
      '--log-opt',
      'max-size=64k',
      '--log-opt',
      'max-file=100',
      suite.image,
      'sh',
      '-c',
      `i=0; while [ $i -lt 20000 ]; do i=$((i+1)); echo "line $i"; if [ $((i % 5000)) = 0 ]; then printf '\\033[31merror %s\\033[0m\\n' $i >&2; fi; if [ $((i % 100)) = 0 ]; then sleep 0.03; fi; done`,
    );
    await until(
      'the writer to finish',
      async () => (await suite.inspect(id, '{{.State.Running}}')) === 'false',
      120_000,
    );
    assert.ok(logFileCount(id) > 10, `the log spans ${logFileCount(id)} files`);
    const logs = local.client.containers;

    const backward: LogViewLine[] = [];
    let from: LogCursor | 'end' = 'end';
    for (;;) {
      const page = await logs.logPage.query({ container: id, from, direction: 'backward', limit: 1000 });
      backward.unshift(...page.lines);
      if (page.atStart) break;
      from = page.before;
    }
    const stdout = backward.filter((line) => line.stream === 'stdout').map((line) => line.text);
    // The same lines as `logs` reads: all of them, rotation loses none.
    const reference = await cli('logs', id);
    assert.deepEqual(stdout, reference.stdout.trim().split('\n'));
    const numbers = stdout.map((text) => Number(text.slice('line '.length)));
    assert.deepEqual(
      numbers,
      Array.from({ length: 20000 }, (_, i) => i + 1),
      'every line, once, in order',
    );
    assert.deepEqual(
      backward.filter((line) => line.stream === 'stderr').map((line) => line.text),
      [5000, 10000, 15000, 20000].map((n) => `\u001b[31merror ${n}\u001b[0m`),
    );

    const forward: string[] = [];
    let next: LogCursor | 'start' = 'start';
    for (;;) {
      const page = await logs.logPage.query({
        container: id,
        from: next,
        direction: 'forward',
        limit: 777,
        streams: ['stdout'],
      });
      forward.push(...page.lines.map((line) => line.text));
      if (page.atEnd) break;
      next = page.after;
    }
    assert.deepEqual(forward, stdout);

    const query = { text: '^line 17$', regex: true, caseSensitive: true };
    const found = await logs.logSearch.query({ container: id, query, from: 'end', direction: 'previous' });
    assert.equal(found.match?.text, 'line 17');
    // The page around a match starts from its cursor: line 17 and the ones after it.
    const around = await logs.logPage.query({
      container: id,
      from: found.match!.cursor,
      direction: 'forward',
      limit: 3,
    });
    assert.deepEqual(
      around.lines.map((line) => line.text),
      ['line 17', 'line 18', 'line 19'],
    );
    const none = await logs.logSearch.query({
      container: id,
      query,
      from: found.match!.cursor,
      direction: 'previous',
    });
    assert.deepEqual([none.match, none.resumeFrom], [null, null]);
    const again = await logs.logSearch.query({ container: id, query, from: 'start', direction: 'next' });
    assert.deepEqual(again.match?.cursor, found.match?.cursor);
    const errors = { text: 'ERROR', regex: false, caseSensitive: false };
    assert.deepEqual(await logs.logMatchCount.query({ container: id, query: errors }), {
      count: 4,
      complete: true,
    });
    const nextError = await logs.logSearch.query({
      container: id,
      query: errors,
      from: around.after,
      direction: 'next',
    });
    assert.equal(nextError.match?.text, '\u001b[31merror 5000\u001b[0m');
    assert.equal(nextError.match?.stream, 'stderr');
    await cli('rm', id);
  });

  test('following with cursors while conmon rotates the log: every line kept, once, in order', async () => {
    const id = await runDetached(
      '--log-opt',
      'max-size=64k',
      '--log-opt',
      'max-file=200',
      suite.image,
      'sh',
      '-c',
      'i=0; while [ $i -lt 20000 ]; do i=$((i+1)); echo "line $i"; if [ $((i % 100)) = 0 ]; then sleep 0.05; fi; done',
    );
    const seen: string[] = [];
    let from: LogCursor | 'start' = 'start';
    while (seen.at(-1) !== 'line 20000') {
      const page = await local.client.containers.logPage.query({
        container: id,
        from,
        direction: 'forward',
        limit: 300,
        waitMs: 5000,
      });
      seen.push(...page.lines.map((line) => line.text));
      from = page.after;
      if (page.lines.length === 0 && (await suite.inspect(id, '{{.State.Running}}')) === 'false') {
        const rest = await local.client.containers.logPage.query({
          container: id,
          from,
          direction: 'forward',
          limit: 5000,
        });
        seen.push(...rest.lines.map((line) => line.text));
        break;
      }
    }
    assert.ok(logFileCount(id) > 5, 'the log rotated while it was followed');
    // Every line, once, in order: the same as `logs` reads once the writer is done.
    const reference = (await cli('logs', id)).stdout.trim().split('\n');
    assert.deepEqual(seen, reference);
    const numbers = seen.map((text) => Number(text.slice('line '.length)));
    assert.deepEqual(
      numbers,
      Array.from({ length: 20000 }, (_, i) => i + 1),
      'every line, once, in order',
    );
    await cli('rm', '-f', id);
  });

  test('a catastrophic regular expression is stopped; the agent answers meanwhile', async () => {
    const id = await runDetached(suite.image, 'sh', '-c', `echo ${'a'.repeat(40)}b; echo ok`);
    assert.equal((await cli('wait', id)).stdout.trim(), '0');
    const order: string[] = [];
    const search = local.client.containers.logSearch
      .query({
        container: id,
        query: { text: '^(a+)+$', regex: true, caseSensitive: true },
        from: 'start',
        direction: 'next',
      })
      .then(
        () => order.push('search answered'),
        (error: Error) => order.push(`search failed: ${error.message}`),
      );
    await new Promise((resolve) => setTimeout(resolve, 500));
    await local.client.system.info.query();
    order.push('info answered');
    await search;
    assert.equal(order[0], 'info answered');
    assert.match(order[1] ?? '', /^search failed: the search spent more than 5 s on one block of the log/);
    // The worker that was ended is replaced: the next search works.
    const ok = await local.client.containers.logSearch.query({
      container: id,
      query: { text: 'ok', regex: true, caseSensitive: true },
      from: 'start',
      direction: 'next',
    });
    assert.equal(ok.match?.text, 'ok');
    await cli('rm', id);
  });
});
