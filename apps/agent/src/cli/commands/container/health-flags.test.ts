import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ContainerCreateSchema, runArgs } from '@stevedore/shared';
import { parseArgv } from '../../../util/argv.js';
import type { CommandContext } from '../../command.js';
import { OperationalError } from '../../errors.js';
import { createInputFromFlags } from './create-flags.js';
import { runCommand } from './run.js';

const S = 1_000_000_000;

function createOf(...words: string[]) {
  const parsed = parseArgv(words, runCommand.flags, { stopAtPositional: true });
  const context = { args: parsed.positionals, flags: parsed.flags } as CommandContext;
  return createInputFromFlags(context, {});
}

/** The error a command line gets: its message and exit code. */
function refusal(...words: string[]): { message: string; exitCode: number } {
  try {
    createOf(...words);
  } catch (error) {
    assert.ok(error instanceof OperationalError, String(error));
    return { message: error.message, exitCode: error.exitCode };
  }
  assert.fail(`accepted: ${words.join(' ')}`);
}

test('--health-* flags make a CMD-SHELL healthcheck in nanoseconds; fields left out stay 0 (the image decides)', () => {
  const create = createOf(
    '--health-cmd',
    'wget -qO- localhost || exit 1',
    '--health-interval',
    '1m30s',
    '--health-retries',
    '4',
    '--health-start-period',
    '500ms',
    'busybox',
  );
  assert.deepEqual(create.Config.Healthcheck, {
    Test: ['CMD-SHELL', 'wget -qO- localhost || exit 1'],
    Interval: 90 * S,
    Timeout: 0,
    StartPeriod: S / 2,
    StartInterval: 0,
    Retries: 4,
  });
  // Without a command the image's test stays: an empty test.
  assert.deepEqual(createOf('--health-interval', '5s', 'busybox').Config.Healthcheck?.Test, []);
  assert.equal(createOf('busybox').Config.Healthcheck, undefined, 'no flags: the image decides');
  assert.deepEqual(createOf('--no-healthcheck', 'busybox').Config.Healthcheck, { Test: ['NONE'] });
});

test("Docker's client-side refusals, each exit 125", () => {
  const cases: [string[], string][] = [
    [['--health-interval', '-1s'], '--health-interval cannot be negative'],
    [['--health-timeout', '-5ms'], '--health-timeout cannot be negative'],
    [['--health-retries', '-1'], '--health-retries cannot be negative'],
    [['--health-start-period', '-1m'], '--health-start-period cannot be negative'],
    [['--health-start-interval', '-2s'], '--health-start-interval cannot be negative'],
    [['--no-healthcheck', '--health-cmd', 'true'], '--no-healthcheck conflicts with --health-* options'],
    [
      ['--health-interval', 'soon'],
      'invalid argument "soon" for "--health-interval" flag: time: invalid duration "soon"',
    ],
    [
      ['--health-timeout', '10'],
      'invalid argument "10" for "--health-timeout" flag: time: missing unit in duration "10"',
    ],
    [
      ['--health-retries', 'three'],
      'invalid argument "three" for "--health-retries" flag: must be an integer',
    ],
  ];
  for (const [flags, message] of cases) {
    assert.deepEqual(refusal(...flags, 'busybox'), { message, exitCode: 125 }, flags.join(' '));
  }
});

test("an interval below 1 ms passes the client and is refused by the engine's schema, as Docker's daemon does", () => {
  const create = createOf('--health-cmd', 'true', '--health-interval', '10us', 'busybox');
  const parsed = ContainerCreateSchema.safeParse(create);
  assert.equal(parsed.success, false);
  assert.match(parsed.error?.issues[0]?.message ?? '', /Interval in Healthcheck cannot be less than 1ms/);
});

test('the run command line of a healthcheck parses back to the same healthcheck', () => {
  for (const words of [
    [
      '--health-cmd',
      'test -f /tmp/ready',
      '--health-interval',
      '2s',
      '--health-timeout',
      '1500ms',
      'busybox',
    ],
    ['--health-cmd', 'true', '--health-retries', '7', '--health-start-interval', '250ms', 'busybox'],
    ['--no-healthcheck', 'busybox'],
  ]) {
    const create = ContainerCreateSchema.parse(createOf(...words));
    const again = ContainerCreateSchema.parse(createOf(...runArgs(create).slice(2)));
    assert.deepEqual(again.Config.Healthcheck, create.Config.Healthcheck, words.join(' '));
  }
});
