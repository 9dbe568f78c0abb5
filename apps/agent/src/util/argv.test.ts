import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ArgvError, type FlagSpec, formatFlagHelp, parseArgv } from './argv.js';

const specs: FlagSpec[] = [
  { name: 'data-root', kind: 'string', description: 'root' },
  { name: 'host', short: 'H', kind: 'list', description: 'hosts' },
  { name: 'iptables', kind: 'boolean', description: 'rules', defaultText: 'true' },
  { name: 'help', short: 'h', kind: 'boolean', description: 'help' },
];

test('long flags take "--name value" and "--name=value"', () => {
  const { flags } = parseArgv(['--data-root', '/a', '--data-root=/b'], specs);
  assert.equal(flags.get('data-root'), '/b', 'the last occurrence wins');
});

test('list flags repeat, with long and short forms', () => {
  const { flags } = parseArgv(['-H', 'unix:///a', '--host=tcp://127.0.0.1:1', '-Hunix:///b'], specs);
  assert.deepEqual(flags.get('host'), ['unix:///a', 'tcp://127.0.0.1:1', 'unix:///b']);
});

test('booleans accept bare, =true and =false', () => {
  assert.equal(parseArgv(['--iptables'], specs).flags.get('iptables'), true);
  assert.equal(parseArgv(['--iptables=false'], specs).flags.get('iptables'), false);
  assert.equal(parseArgv(['--iptables=true'], specs).flags.get('iptables'), true);
  assert.throws(() => parseArgv(['--iptables=maybe'], specs), {
    message: 'invalid argument "maybe" for "--iptables" flag: must be true or false',
  });
  // As pflag: a flag with a short form is named by both, whichever was typed.
  assert.throws(() => parseArgv(['-h=maybe'], specs), {
    message: 'invalid argument "maybe" for "-h, --help" flag: must be true or false',
  });
  assert.throws(() => parseArgv(['--help=maybe'], specs), {
    message: 'invalid argument "maybe" for "-h, --help" flag: must be true or false',
  });
});

test('flags that are not given are absent, so callers can tell "set" from "default"', () => {
  assert.equal(parseArgv([], specs).flags.has('iptables'), false);
});

test('unknown flags and missing values are errors worded like pflag', () => {
  assert.throws(() => parseArgv(['--nope'], specs), new ArgvError('unknown flag: --nope'));
  assert.throws(() => parseArgv(['-x'], specs), new ArgvError("unknown shorthand flag: 'x' in -x"));
  assert.throws(
    () => parseArgv(['--data-root'], specs),
    new ArgvError('flag needs an argument: --data-root'),
  );
  assert.throws(() => parseArgv(['-H'], specs), new ArgvError("flag needs an argument: 'H' in -H"));
});

test('positionals, "--" and stopping at the first positional', () => {
  assert.deepEqual(parseArgv(['a', '--iptables', 'b', '--', '--data-root'], specs).positionals, [
    'a',
    'b',
    '--data-root',
  ]);
  const stopped = parseArgv(['-H', 'x', 'info', '--format', 'y'], specs, { stopAtPositional: true });
  assert.deepEqual(stopped.positionals, ['info', '--format', 'y']);
  assert.deepEqual(stopped.flags.get('host'), ['x']);
});

test('help lists every flag with its default', () => {
  const help = formatFlagHelp(specs);
  assert.match(help, /-H, --host list +hosts/);
  assert.match(help, /--iptables +rules \(default true\)/);
});

test('short booleans group like pflag: -aq is -a -q, and a value flag at the end takes the rest', () => {
  const specs = [
    { name: 'all', short: 'a', kind: 'boolean', description: '' },
    { name: 'quiet', short: 'q', kind: 'boolean', description: '' },
    { name: 'name', short: 'n', kind: 'string', description: '' },
  ] as const;
  const parsed = parseArgv(['-aq', '-anweb'], specs);
  assert.equal(parsed.flags.get('all'), true);
  assert.equal(parsed.flags.get('quiet'), true);
  assert.equal(parsed.flags.get('name'), 'web');
  assert.throws(() => parseArgv(['-ax'], specs), /unknown shorthand flag: 'x' in -ax/);
});
