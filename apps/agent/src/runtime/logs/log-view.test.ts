import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileLogSearch, type LogCursor, type LogPage } from '@stevedore/shared';
import { type LineFilter, readPage } from './log-page.js';
import { LineAssembler, parseRecords } from './log-records.js';
import { SCAN_BLOCK_BYTES } from './log-scan.js';
import { countMatches, searchLog } from './log-search-scan.js';
import { readHead, resolveFrom, type ViewFile } from './log-view-files.js';

const time = (n: number) =>
  `2026-12-05T10:00:${String(Math.floor(n / 1e6) % 60).padStart(2, '0')}.${String(n % 1e6).padStart(6, '0')}000+00:00`;
const record = (n: number, text: string, stream = 'stdout', tag = 'F') =>
  `${time(n)} ${stream} ${tag} ${text}\n`;

let nextIno = 100;
async function memoryFile(text: string): Promise<ViewFile> {
  const data = Buffer.from(text);
  const read: ViewFile['read'] = async (buffer, position, length) =>
    data.copy(buffer, 0, position, Math.min(data.length, position + length));
  return { ino: nextIno++, head: await readHead(read), size: data.length, read };
}

const all: LineFilter = { streams: new Set(['stdout', 'stderr']), since: null, until: null };
const numbered = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => record(from + i, `line ${from + i}`)).join('');

test('records parse with their positions; lines that are not records are skipped', () => {
  const text = `${record(1, 'a')}garbage\n${record(2, 'b c', 'stderr', 'P')}${record(3, '')}`;
  const records = parseRecords(Buffer.from(text), 0, Buffer.byteLength(text), 10);
  assert.deepEqual(
    records.map((r) => [r.stream, r.continued, r.start - 10]),
    [
      ['stdout', false, 0],
      ['stderr', true, record(1, 'a').length + 8],
      ['stdout', false, text.length - record(3, '').length],
    ],
  );
  assert.equal(records.at(-1)?.end, 10 + text.length);
});

test('partial records join their stream continuation and keep the first record start', () => {
  const text = record(1, 'hel', 'stdout', 'P') + record(2, 'oops', 'stderr') + record(3, 'lo');
  const buffer = Buffer.from(text);
  const assembler = new LineAssembler();
  const lines = parseRecords(buffer, 0, buffer.length, 0)
    .map((r) => assembler.push(r, buffer, 0))
    .filter((line) => line !== null);
  assert.deepEqual(
    lines.map((l) => [l.text, l.start, l.end, l.time]),
    [
      ['oops', record(1, 'hel', 'stdout', 'P').length, text.length - record(3, 'lo').length, time(2)],
      ['hello', 0, text.length, time(1)],
    ],
  );
});

async function pagesBackward(files: ViewFile[], limit: number): Promise<string[]> {
  const texts: string[] = [];
  let from: LogCursor | 'end' = 'end';
  for (let guard = 0; guard < 10_000; guard++) {
    const page: LogPage = await readPage(files, {
      from,
      direction: 'backward',
      limit,
      filter: all,
      writerDone: false,
    });
    texts.unshift(...page.lines.map((l) => l.text));
    if (page.atStart) return texts;
    from = page.before;
  }
  throw new Error('paging backward did not end');
}

async function pagesForward(files: ViewFile[], limit: number): Promise<string[]> {
  const texts: string[] = [];
  let from: LogCursor | 'start' = 'start';
  for (let guard = 0; guard < 10_000; guard++) {
    const page = await readPage(files, { from, direction: 'forward', limit, filter: all, writerDone: false });
    texts.push(...page.lines.map((l) => l.text));
    if (page.atEnd) return texts;
    from = page.after;
  }
  throw new Error('paging forward did not end');
}

test('paging walks the whole log across files in both directions, every line once', async () => {
  const files = [
    await memoryFile(numbered(1, 3000)),
    await memoryFile(numbered(3001, 9000)),
    await memoryFile(numbered(9001, 9500)),
  ];
  const expected = Array.from({ length: 9500 }, (_, i) => `line ${i + 1}`);
  assert.deepEqual(await pagesBackward(files, 700), expected);
  assert.deepEqual(await pagesForward(files, 650), expected);
});

test('a long line of partial records is never split by a backward block boundary', async () => {
  const chunk = 'x'.repeat(8000);
  const long = Array.from({ length: 40 }, (_, i) =>
    record(100 + i, chunk, 'stdout', i < 39 ? 'P' : 'F'),
  ).join('');
  const text = numbered(1, 10) + long + numbered(200, 5000);
  assert.ok(Buffer.byteLength(text) > 2 * SCAN_BLOCK_BYTES);
  const files = [await memoryFile(text)];
  const back = await pagesBackward(files, 300);
  assert.equal(back.length, 10 + 1 + 4801);
  assert.equal(back[10], chunk.repeat(40));
  assert.deepEqual(await pagesForward(files, 7), back);
});

test('the newest file ending in a partial record: left for later while written, partial once done', async () => {
  const files = [await memoryFile(numbered(1, 3) + record(4, 'unfinished', 'stdout', 'P'))];
  const writing = await readPage(files, {
    from: 'start',
    direction: 'forward',
    limit: 10,
    filter: all,
    writerDone: false,
  });
  assert.deepEqual(
    writing.lines.map((l) => l.text),
    ['line 1', 'line 2', 'line 3'],
  );
  assert.equal(writing.after.offset, numbered(1, 3).length);
  const done = await readPage(files, {
    from: 'start',
    direction: 'forward',
    limit: 10,
    filter: all,
    writerDone: true,
  });
  assert.deepEqual(done.lines.at(-1), { ...done.lines.at(-1), text: 'unfinished', partial: true });
});

test('filters: streams and since/until', async () => {
  const text = [1, 2, 3, 4, 5, 6].map((n) => record(n * 1e6, `l${n}`, n % 2 ? 'stdout' : 'stderr')).join('');
  const files = [await memoryFile(text)];
  const stderr = await readPage(files, {
    from: 'end',
    direction: 'backward',
    limit: 10,
    filter: { ...all, streams: new Set(['stderr']) },
    writerDone: true,
  });
  assert.deepEqual(
    stderr.lines.map((l) => l.text),
    ['l2', 'l4', 'l6'],
  );
  const since = BigInt(Date.parse('2026-12-05T10:00:03Z')) * 1_000_000n;
  const until = BigInt(Date.parse('2026-12-05T10:00:05Z')) * 1_000_000n;
  const ranged = await readPage(files, {
    from: 'start',
    direction: 'forward',
    limit: 10,
    filter: { ...all, since, until },
    writerDone: true,
  });
  assert.deepEqual(
    ranged.lines.map((l) => l.text),
    ['l3', 'l4', 'l5'],
  );
  const back = await readPage(files, {
    from: 'end',
    direction: 'backward',
    limit: 10,
    filter: { ...all, since },
    writerDone: true,
  });
  assert.deepEqual(
    back.lines.map((l) => l.text),
    ['l3', 'l4', 'l5', 'l6'],
  );
  assert.equal(back.atStart, true);
});

test('a cursor into a file that rotated out goes on with the next newer file', async () => {
  const older = await memoryFile(numbered(1, 10));
  const newer = await memoryFile(numbered(11, 20));
  const gone: LogCursor = { ino: 1, head: older.head, offset: 5 };
  assert.deepEqual(resolveFrom([newer], gone, 'forward'), { file: 0, offset: 0 });
  assert.deepEqual(resolveFrom([older, newer], { ino: newer.ino, head: newer.head, offset: 7 }, 'forward'), {
    file: 1,
    offset: 7,
  });
  // The same inode with another first record is another file.
  assert.deepEqual(resolveFrom([older, newer], { ino: newer.ino, head: time(999), offset: 7 }, 'backward'), {
    file: 0,
    offset: 0,
  });
});

test('search finds next and previous matches across files; ANSI codes are not matched', async () => {
  const files = [
    await memoryFile(numbered(1, 2000) + record(2001, '\x1b[31mERROR\x1b[0m disk full')),
    await memoryFile(numbered(2002, 6000) + record(6001, 'error: again', 'stderr')),
  ];
  const matcher = compileLogSearch({ text: 'error', regex: false, caseSensitive: false });
  const request = { filter: all, writerDone: true, budgetMs: 10_000 } as const;
  const last = await searchLog(files, matcher, { ...request, from: 'end', direction: 'previous' });
  assert.equal(last.match?.text, 'error: again');
  const previous = await searchLog(files, matcher, {
    ...request,
    from: { ino: files[1]!.ino, head: files[1]!.head, offset: last.match!.start },
    direction: 'previous',
  });
  assert.equal(previous.match?.text, '\x1b[31mERROR\x1b[0m disk full');
  const first = await searchLog(files, matcher, { ...request, from: 'start', direction: 'next' });
  assert.equal(first.match?.start, previous.match?.start);
  const ansi = compileLogSearch({ text: '31m', regex: false, caseSensitive: false });
  assert.equal((await searchLog(files, ansi, { ...request, from: 'start', direction: 'next' })).match, null);
  const regex = compileLogSearch({ text: '^line 59\\d\\d$', regex: true, caseSensitive: true });
  assert.deepEqual(await countMatches(files, regex, { ...request, cap: 1000 }), {
    count: 100,
    complete: true,
  });
  assert.deepEqual(await countMatches(files, regex, { ...request, cap: 10 }), { count: 10, complete: false });
});

test('a search out of budget says where to go on', async () => {
  const files = [await memoryFile(numbered(1, 20000))];
  const none = compileLogSearch({ text: 'nowhere', regex: false, caseSensitive: true });
  const outcome = await searchLog(files, none, {
    from: 'start',
    direction: 'next',
    filter: all,
    writerDone: true,
    budgetMs: 0,
  });
  assert.equal(outcome.match, null);
  assert.ok(outcome.resume && outcome.resume.offset > 0 && outcome.resume.offset < files[0]!.size);
});

test('a scan reports each block it moves on to (the runner tells a slow scan from a stuck one by it)', async () => {
  const files = [await memoryFile(numbered(1, 20000))];
  const blocks = Math.ceil(files[0]!.size / SCAN_BLOCK_BYTES);
  assert.ok(blocks > 2, 'the log spans several blocks');
  const none = compileLogSearch({ text: 'nowhere', regex: false, caseSensitive: true });
  const request = { filter: all, writerDone: true, budgetMs: 10_000 } as const;
  let searched = 0;
  await searchLog(files, none, { ...request, from: 'start', direction: 'next' }, () => searched++);
  let counted = 0;
  await countMatches(files, none, { ...request, cap: 10 }, () => counted++);
  assert.ok(searched >= blocks - 1, `search reported ${searched} of ${blocks} blocks`);
  assert.ok(counted >= blocks - 1, `count reported ${counted} of ${blocks} blocks`);
});
