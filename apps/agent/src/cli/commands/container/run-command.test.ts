import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import {
  type ContainerCreateInput,
  ContainerCreateSchema,
  runArgs,
  runCommandLine,
  shellQuote,
} from '@stevedore/shared';
import { parseArgv } from '../../../util/argv.js';
import type { CommandContext } from '../../command.js';
import { createInputFromFlags } from './create-flags.js';
import { runCommand } from './run.js';

/** The words a real bash makes of the command line (after "stevedore"). */
function bashWords(line: string): string[] {
  const out = execFileSync('bash', ['-c', `stevedore() { printf '%s\\0' "$@"; }; ${line}`], {
    encoding: 'utf8',
  });
  return out.split('\0').slice(0, -1);
}

/** What the CLI's own parser makes of the words, as `stevedore run` would send it to the agent. */
function parsedByCli(words: string[]) {
  assert.equal(words[0], 'run');
  const parsed = parseArgv(words.slice(1), runCommand.flags, { stopAtPositional: true });
  const context = { args: parsed.positionals, flags: parsed.flags } as CommandContext;
  return ContainerCreateSchema.parse(createInputFromFlags(context, {}));
}

const roundTrip = (input: ContainerCreateInput) => {
  const create = ContainerCreateSchema.parse(input);
  const line = runCommandLine(create);
  const words = bashWords(line);
  assert.deepEqual(words, runArgs(create), 'bash splits the line into the same words');
  return { create, back: parsedByCli(words), line };
};

test('shellQuote leaves plain words alone and single-quotes the rest', () => {
  assert.equal(shellQuote('nginx:1.27'), 'nginx:1.27');
  assert.equal(shellQuote(''), "''");
  assert.equal(shellQuote("it's $HOME"), `'it'\\''s $HOME'`);
  assert.deepEqual(bashWords(`stevedore ${shellQuote('a \'b\' "c" $d `e` \\f\n')}`), [
    'a \'b\' "c" $d `e` \\f\n',
  ]);
});

test('a create with every flag the form sets parses back to the same request', () => {
  const { create, back } = roundTrip({
    name: 'web-1',
    Config: {
      Image: 'registry.local:5000/app/web:1.2',
      Cmd: ['sh', '-c', 'echo "$GREETING" && sleep 1000'],
      Env: ['GREETING=hello world', "QUOTE=it's", 'EMPTY='],
      WorkingDir: '/srv/app',
      User: '1000:1000',
      Hostname: 'web',
      Labels: { 'com.example.team': 'core', note: 'has spaces & $signs' },
      Tty: true,
      OpenStdin: true,
      StopSignal: 'SIGQUIT',
      StopTimeout: 30,
      ExposedPorts: { '80/tcp': {}, '53/udp': {}, '9000/tcp': {} },
    },
    HostConfig: {
      Binds: ['/srv/data:/data:ro', 'cache:/cache', '/anon'],
      Tmpfs: { '/run': 'size=64m', '/tmp': '' },
      ReadonlyRootfs: true,
      CapAdd: ['NET_ADMIN'],
      CapDrop: ['MKNOD'],
      RestartPolicy: { Name: 'on-failure', MaximumRetryCount: 3 },
      Init: true,
      SecurityOpt: ['no-new-privileges'],
      NetworkMode: 'appnet',
      PortBindings: {
        '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '8080' }],
        '53/udp': [{ HostIp: '', HostPort: '5353' }],
      },
      Memory: 512 * 1024 ** 2,
      MemorySwap: 1024 ** 3,
      MemoryReservation: 256 * 1024 ** 2,
      NanoCpus: 1_500_000_000,
      CpuShares: 512,
      CpusetCpus: '0',
      PidsLimit: 100,
      BlkioWeight: 300,
      Ulimits: [{ Name: 'nofile', Soft: 1024, Hard: 2048 }],
      ShmSize: 128 * 1024 ** 2,
      LogConfig: { Type: 'json-file', Config: { 'max-size': '10m', 'max-file': '3' } },
    },
    NetworkingConfig: {
      EndpointsConfig: {
        appnet: { Aliases: ['web', 'frontend'], IPAMConfig: { IPv4Address: '10.89.0.10' } },
      },
    },
  });
  assert.deepEqual(back, create);
});

test('defaults stay out of the line, and negative values stay values', () => {
  const { create, back, line } = roundTrip({
    Config: { Image: 'busybox', Cmd: ['-not-a-flag'] },
    HostConfig: { PidsLimit: -1, MemorySwap: -1, Memory: 64 * 1024 ** 2, CpuQuota: -1 },
  });
  assert.equal(
    line,
    'stevedore run -d --memory 64m --memory-swap=-1 --cpu-quota=-1 --pids-limit=-1 busybox -not-a-flag',
  );
  assert.deepEqual(back, create);
});

test('an empty entrypoint resets the image one; a long one runs the same argv', () => {
  const reset = roundTrip({ Config: { Image: 'busybox', Entrypoint: [], Cmd: ['true'] } });
  assert.deepEqual(reset.back, reset.create);
  const long = roundTrip({ Config: { Image: 'busybox', Entrypoint: ['/bin/sh', '-c'], Cmd: ['exit 3'] } });
  assert.deepEqual(long.back.Config.Entrypoint, ['/bin/sh']);
  assert.deepEqual(long.back.Config.Cmd, ['-c', 'exit 3']);
});
