import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StevedoreError } from '@stevedore/shared';
import { execFile } from './exec.js';

test('returns code, stdout and stderr', async () => {
  const result = await execFile('sh', ['-c', 'echo out; echo err >&2; exit 3']);
  assert.deepEqual(result, { code: 3, stdout: 'out\n', stderr: 'err\n' });
});

test('command injection: arguments are never interpreted by a shell', async () => {
  const hostile = '$(echo pwned); `echo pwned` && echo pwned | cat';
  const result = await execFile('echo', [hostile]);
  assert.equal(result.stdout, `${hostile}\n`);
});

test('check: throws a StevedoreError carrying the command and exit code', async () => {
  await assert.rejects(execFile('sh', ['-c', 'echo boom >&2; exit 7'], { check: true }), (error: unknown) => {
    assert.ok(error instanceof StevedoreError);
    assert.equal(error.context.exitCode, 7);
    assert.deepEqual(error.context.command, ['sh', '-c', 'echo boom >&2; exit 7']);
    assert.match(error.message, /exit code 7\): boom/);
    return true;
  });
});

test('a missing program yields 127, or UNAVAILABLE when checked', async () => {
  assert.equal((await execFile('/nonexistent/program', [])).code, 127);
  await assert.rejects(execFile('/nonexistent/program', [], { check: true }), { code: 'UNAVAILABLE' });
});

test('stdin input is passed through', async () => {
  assert.equal((await execFile('cat', [], { input: 'hello' })).stdout, 'hello');
});
