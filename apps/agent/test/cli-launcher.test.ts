// bin/stevedore, the installed `stevedore` command: it starts the CLI from its V8 startup snapshot
// when that snapshot is current, and from bin/stevedore.js otherwise. The choice is tested on a
// copy of the launcher beside a small snapshot and script of the test's own; the real snapshot is
// tested through the CLI itself.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { cliBin, repoRoot } from './harness/agent-process.js';
import { runCli } from './harness/cli-process.js';

const agentDir = join(repoRoot, 'apps/agent');

describe('bin/stevedore chooses how to start', () => {
  let tree: string;
  let launcher: string;
  let blob: string;
  const run = (env: Record<string, string> = {}, ...args: string[]) =>
    spawnSync(launcher, args, { encoding: 'utf8', env: { ...process.env, ...env } });

  before(() => {
    tree = mkdtempSync(join(tmpdir(), 'stevedore-launcher-'));
    mkdirSync(join(tree, 'bin'));
    mkdirSync(join(tree, 'dist/cli'), { recursive: true });
    launcher = join(tree, 'bin/stevedore');
    copyFileSync(join(agentDir, 'bin/stevedore'), launcher);
    const report = (how: string) =>
      `console.log(JSON.stringify({ how: '${how}', args: process.argv.slice(${how === 'snapshot' ? 1 : 2}), extra: process.env.NODE_EXTRA_CA_CERTS ?? null, handedOver: process.env.STEVEDORE_EXTRA_CA_CERTS ?? null }));`;
    writeFileSync(join(tree, 'bin/stevedore.js'), report('script'));
    writeFileSync(join(tree, 'tsconfig.tsbuildinfo'), '{}');
    const entry = join(tree, 'entry.cjs');
    writeFileSync(
      entry,
      `require('node:v8').startupSnapshot.setDeserializeMainFunction(() => { ${report('snapshot')} });`,
    );
    blob = join(tree, 'dist/cli/stevedore.blob');
    const built = spawnSync(process.execPath, ['--snapshot-blob', blob, '--build-snapshot', entry], {
      encoding: 'utf8',
    });
    assert.equal(built.status, 0, built.stderr);
  });
  after(() => rmSync(tree, { recursive: true, force: true }));

  const stamp = (node: string) => writeFileSync(`${blob}.node`, `${node}\n`);
  const parse = (result: ReturnType<typeof run>) => {
    assert.equal(result.status, 0, result.stderr);
    return JSON.parse(result.stdout) as {
      how: string;
      args: string[];
      extra: string | null;
      handedOver: string | null;
    };
  };
  const nodeOnPath = spawnSync('sh', ['-c', 'command -v node'], { encoding: 'utf8' }).stdout.trim();

  test('a snapshot built by the node on PATH is used, with every argument passed on, Node-like flags too', () => {
    stamp(nodeOnPath);
    const started = parse(run({}, '--version', '-h', 'run', '--rm', 'x'));
    assert.equal(started.how, 'snapshot');
    assert.deepEqual(started.args, ['--version', '-h', 'run', '--rm', 'x']);
  });

  test('NODE_EXTRA_CA_CERTS is handed over to the CLI instead of loaded by Node at start', () => {
    stamp(nodeOnPath);
    const started = parse(run({ NODE_EXTRA_CA_CERTS: '/etc/ssl/certs/ca-certificates.crt' }, 'ps'));
    assert.equal(started.how, 'snapshot');
    assert.equal(started.extra, null);
    assert.equal(started.handedOver, '/etc/ssl/certs/ca-certificates.crt');
  });

  test('a snapshot built by another node binary is not used', () => {
    stamp('/opt/other/node');
    const started = parse(run({ NODE_EXTRA_CA_CERTS: '/etc/ssl/certs/ca-certificates.crt' }, 'ps', '-a'));
    assert.equal(started.how, 'script');
    assert.deepEqual(started.args, ['ps', '-a']);
    assert.equal(started.extra, '/etc/ssl/certs/ca-certificates.crt');
  });

  test('a snapshot without the record of its builder (a build cut short) is not used, quietly', () => {
    rmSync(`${blob}.node`, { force: true });
    const result = run({}, 'ps');
    assert.equal(parse(result).how, 'script');
    assert.equal(result.stderr, '');
  });

  test('a snapshot older than the last compile is not used', () => {
    stamp(nodeOnPath);
    const later = new Date(Date.now() + 60_000);
    utimesSync(join(tree, 'tsconfig.tsbuildinfo'), later, later);
    try {
      assert.equal(parse(run({}, 'ps')).how, 'script');
    } finally {
      const earlier = new Date(Date.now() - 60_000);
      utimesSync(join(tree, 'tsconfig.tsbuildinfo'), earlier, earlier);
    }
    assert.equal(parse(run({}, 'ps')).how, 'snapshot');
    // The CLI is its own tsc project (src/cli/tsconfig.json): a compile of only its sources counts too.
    const cliBuild = join(tree, 'dist/cli/tsconfig.tsbuildinfo');
    writeFileSync(cliBuild, '{}');
    try {
      assert.equal(parse(run({}, 'ps')).how, 'script');
    } finally {
      const earlier = new Date(Date.now() - 60_000);
      utimesSync(cliBuild, earlier, earlier);
    }
    assert.equal(parse(run({}, 'ps')).how, 'snapshot');
  });
});

describe('the CLI started from its snapshot', () => {
  test('the build made a snapshot the launcher uses', () => {
    const result = spawnSync(cliBin, ['--version'], {
      encoding: 'utf8',
      // Node would warn that it cannot load this file, had it been left to Node.
      env: { ...process.env, NODE_EXTRA_CA_CERTS: '/nonexistent/ca.pem' },
    });
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /^Stevedore version \d+\.\d+\.\d+, build \S+\n$/);
    assert.doesNotMatch(result.stderr, /extra certs/i);
    const script = spawnSync(process.execPath, [join(agentDir, 'bin/stevedore.js'), '--version'], {
      encoding: 'utf8',
      env: { ...process.env, NODE_EXTRA_CA_CERTS: '/nonexistent/ca.pem' },
    });
    assert.match(script.stderr, /extra certs/i);
  });

  test('-v and --help reach the CLI, not Node', async () => {
    assert.match((await runCli(['-v'])).stdout, /^Stevedore version /);
    const help = await runCli(['--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^Usage:\s+stevedore \[OPTIONS\] COMMAND/);
  });
});
