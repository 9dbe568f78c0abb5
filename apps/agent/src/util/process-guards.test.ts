import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';

/** Runs `body` in a fresh Node with the guards installed and a JSON logger on stderr. */
function runGuarded(body: string) {
  const script = `
    import pino from 'pino';
    import { installProcessGuards } from ${JSON.stringify(new URL('./process-guards.ts', import.meta.url).href)};
    const log = pino({ level: 'debug' }, pino.destination({ dest: 2, sync: true }));
    installProcessGuards(log);
    ${body}
  `;
  return spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    encoding: 'utf8',
    timeout: 20_000,
  });
}

test('an unhandled rejection and an uncaught exception are logged and the process goes on', () => {
  const result = runGuarded(`
    Promise.reject(new Error('nobody awaited this'));
    setTimeout(() => { throw new Error('a listener threw'); }, 10);
    setTimeout(() => { process.stdout.write('still running'); process.exit(0); }, 200);
  `);
  assert.equal(result.status, 0, result.stderr);
  assert.equal(result.stdout, 'still running');
  assert.match(result.stderr, /unhandled promise rejection.*|nobody awaited this/);
  assert.match(result.stderr, /"msg":"unhandled promise rejection \(the agent keeps running\)"/);
  assert.match(result.stderr, /"msg":"uncaught exception \(the agent keeps running\)"/);
  assert.match(result.stderr, /a listener threw/);
});

test('a stream of uncaught exceptions ends the process with 70 for a clean restart', () => {
  const result = runGuarded(`
    for (let i = 0; i < 20; i++) setTimeout(() => { throw new Error('again ' + i); }, i);
    setTimeout(() => process.exit(0), 500);
  `);
  assert.equal(result.status, 70, result.stderr);
  assert.match(result.stderr, /11 uncaught exceptions within 60 s/);
});
