import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parsePsOutput } from './container-top.js';

test("ps's own columns, reduced to the container's pids, the command kept whole", () => {
  const output = [
    'UID          PID    PPID  C STIME TTY          TIME CMD',
    'root           1       0  0 03:00 ?        00:00:01 /sbin/init splash',
    'root        4242    4200  0 03:01 ?        00:00:00 sleep 300',
    '',
  ].join('\n');
  assert.deepEqual(parsePsOutput(output, new Set([4242])), {
    Titles: ['UID', 'PID', 'PPID', 'C', 'STIME', 'TTY', 'TIME', 'CMD'],
    Processes: [['root', '4242', '4200', '0', '03:01', '?', '00:00:00', 'sleep 300']],
  });
});

test('-o pid,comm: whatever columns ps prints', () => {
  const output = '    PID COMMAND\n     7 sleep\n     9 sh\n';
  assert.deepEqual(parsePsOutput(output, new Set([9])), {
    Titles: ['PID', 'COMMAND'],
    Processes: [['9', 'sh']],
  });
});

test('thread lines (ps -m) stay under their own process only', () => {
  const output = [
    'PID TTY TIME CMD',
    '5 ? 00:00:00 a',
    '- - 00:00:00 -',
    '6 ? 00:00:00 b',
    '- - 00:00:00 -',
  ].join('\n');
  assert.deepEqual(parsePsOutput(output, new Set([6])).Processes, [
    ['6', '?', '00:00:00', 'b'],
    ['-', '-', '00:00:00', '-'],
  ]);
});

test('no PID column is an error, as Docker words it', () => {
  assert.throws(
    () => parsePsOutput('COMMAND\nsleep\n', new Set([1])),
    /Couldn't find PID field in ps output/,
  );
});
