import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import pino from 'pino';
import { keepCurrentLog, logState, reopenDue, rotateBeforeStart, settleStoppedLog } from './log-rotation.js';
import { LogRotationWatcher } from './log-rotation-watcher.js';

describe('log rotation steps', () => {
  let dir: string;
  let log: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'log-rotation-'));
    log = join(dir, 'c.log');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const contents = () =>
    Object.fromEntries(
      readdirSync(dir)
        .sort()
        .map((name) => [name, readFileSync(join(dir, name), 'utf8')]),
    );

  test('the current file becomes .1 as well; older ones shift, those at max-file or beyond go', async () => {
    for (const [name, text] of [
      ['c.log', 'current'],
      ['c.log.1', 'one'],
      ['c.log.2', 'two'],
      ['c.log.3', 'three'],
      ['c.log.7', 'left from a larger max-file'],
    ]) {
      writeFileSync(join(dir, name as string), text as string);
    }
    await keepCurrentLog(log, 4);
    assert.deepEqual(contents(), {
      'c.log': 'current',
      'c.log.1': 'current',
      'c.log.2': 'one',
      'c.log.3': 'two',
    });
    assert.equal(
      statSync(log).ino,
      statSync(`${log}.1`).ino,
      'one file, two names: conmon writes on into it',
    );
    assert.equal(reopenDue(await logState(log)), true);
  });

  test('with a gap a crash left, nothing is overwritten', async () => {
    writeFileSync(log, 'current');
    writeFileSync(`${log}.2`, 'two');
    await keepCurrentLog(log, 5);
    assert.deepEqual(contents(), { 'c.log': 'current', 'c.log.1': 'current', 'c.log.3': 'two' });
  });

  test('max-file=1: nothing is linked; conmon replacing the file drops it', async () => {
    writeFileSync(log, 'current');
    await keepCurrentLog(log, 1);
    assert.deepEqual(contents(), { 'c.log': 'current' });
    assert.equal(reopenDue(await logState(log)), false);
  });

  test('conmon gone before it reopened: the reopen is finished for it, and the next start shifts nothing', async () => {
    writeFileSync(log, 'current');
    writeFileSync(`${log}.1`, 'one');
    writeFileSync(`${log}.held`, 'a previous agent’s name');
    writeFileSync(`${log}.fresh`, 'an empty file a crash left before its rename');
    await keepCurrentLog(log, 3);
    const full = statSync(log).ino;
    await settleStoppedLog(log);
    assert.deepEqual(contents(), { 'c.log': '', 'c.log.1': 'current', 'c.log.2': 'one' });
    assert.equal(statSync(`${log}.1`).ino, full, 'the full file keeps its rotated name');
    assert.equal(reopenDue(await logState(log)), false);
    await rotateBeforeStart(log, 4);
    assert.deepEqual(contents(), { 'c.log': '', 'c.log.1': 'current', 'c.log.2': 'one' });
  });

  test('a restart with a reopen due keeps the file once', async () => {
    writeFileSync(log, 'current');
    await keepCurrentLog(log, 3);
    await rotateBeforeStart(log, 3);
    assert.deepEqual(contents(), { 'c.log': '', 'c.log.1': 'current' });
  });

  test('settling twice changes nothing more', async () => {
    writeFileSync(log, 'current');
    await keepCurrentLog(log, 3);
    await settleStoppedLog(log);
    await settleStoppedLog(log);
    assert.deepEqual(contents(), { 'c.log': '', 'c.log.1': 'current' });
  });

  test('a burst past max-size that ends before the watcher looks again is rotated when the container stops', async () => {
    writeFileSync(log, '');
    const watcher = new LogRotationWatcher(pino({ level: 'silent' }));
    watcher.watch('c', log, join(dir, 'ctl'), { maxSize: 1000, maxFiles: 3 });
    await sleep(20);
    writeFileSync(log, 'x'.repeat(2000));
    await watcher.release('c', log);
    assert.deepEqual(contents(), { 'c.log': '', 'c.log.1': 'x'.repeat(2000) });
  });

  test('a stopped container under max-size keeps its one file', async () => {
    writeFileSync(log, '');
    const watcher = new LogRotationWatcher(pino({ level: 'silent' }));
    watcher.watch('c', log, join(dir, 'ctl'), { maxSize: 1000, maxFiles: 3 });
    await sleep(20);
    writeFileSync(log, 'x'.repeat(999));
    await watcher.release('c', log);
    assert.deepEqual(contents(), { 'c.log': 'x'.repeat(999) });
  });
});
