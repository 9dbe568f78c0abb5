import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { agentEnv, serviceScript, systemdUnit } from './install-scripts.js';
import { parseEnvFileValue, shellQuote } from './quoting.js';

const work = mkdtempSync(join(tmpdir(), 'stevedore-quoting-'));
after(() => rmSync(work, { recursive: true, force: true }));

/** Values a hostile or careless admin could type; a shell that evaluated them would create `pwned`. */
const HOSTILE = [
  '/var/lib/my dir',
  `/srv/it's "quoted"`,
  '/x/$(touch pwned)',
  '/x/`touch pwned`',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell expansion, meant literally
  '/x/$HOME/${PATH}',
  '/x/a\\b\\',
  '/x/;touch pwned;#',
  '/x/%n %% 100%',
  "/x/'",
  '/x/ünïcødé',
];

/** Sources `file` as the non-systemd start does (`. "$1"`) and prints the three values. */
function sourced(file: string): string[] {
  const out = execFileSync(
    'sh',
    ['-c', '. "$1"; printf "%s\\0%s\\0%s" "$DATA_ROOT" "$EXEC_ROOT" "$SOCKET"', 'sh', file],
    {
      cwd: work,
      encoding: 'utf8',
    },
  );
  return out.split('\0');
}

test('agent.env holds hostile values exactly: sourced by sh they come back unchanged and nothing runs', () => {
  for (const [i, value] of HOSTILE.entries()) {
    const settings = { dataRoot: value, execRoot: `${value}/exec`, socketPath: `${value}/agent.sock` };
    const file = join(work, `agent-${i}.env`);
    writeFileSync(file, agentEnv(settings));
    assert.deepEqual(sourced(file), [settings.dataRoot, settings.execRoot, settings.socketPath], value);
    // As the installer reads an earlier install's file back (preflight: `sed 's/^/env./'`).
    const dataLine = agentEnv(settings).split('\n')[0]!;
    assert.equal(parseEnvFileValue(dataLine.slice('DATA_ROOT='.length)), value);
  }
  assert.ok(!readdirSync(work).includes('pwned'), 'no value was executed');
});

test('values read back from agent.env are taken only in the form the installer writes', () => {
  assert.equal(parseEnvFileValue('/var/lib/stevedore'), '/var/lib/stevedore', 'files from before quoting');
  assert.equal(parseEnvFileValue(`'/a b'\\''c'`), "/a b'c");
  for (const raw of ['/x/$(id)', "'/unterminated", `'/a' trailing`, '"/double"', '/a b']) {
    assert.equal(parseEnvFileValue(raw), null, raw);
  }
});

test('values with a newline or another control character are refused with a clear error', () => {
  for (const bad of ['/var/lib/a\nb', '/x\r', '/x\0y', '/x\ty', '/x\u001b[31m']) {
    const settings = { dataRoot: bad, execRoot: '/run/stevedore', socketPath: '/run/stevedore/agent.sock' };
    assert.throws(() => agentEnv(settings), /data_root|DATA_ROOT.*control character/i, JSON.stringify(bad));
    assert.throws(
      () => serviceScript({ installDir: '/opt/stevedore', sudo: '' }, settings, true),
      /data root .* contains a control character \(such as a newline\); it cannot be written safely/,
    );
    assert.throws(() => systemdUnit(bad), /install directory .* control character/);
  }
  assert.throws(() => systemdUnit(`/opt/it's`), /without quotes or backslashes/);
  assert.throws(() => systemdUnit('/opt/back\\slash'), /without quotes or backslashes/);
});

test('the unit quotes the install directory as systemd reads it (checked by systemd-analyze verify)', (t) => {
  if (spawnSync('systemd-analyze', ['--version']).status !== 0) {
    t.skip('systemd-analyze is not installed');
    return;
  }
  for (const [i, name] of [
    'my dir',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell expansion, meant literally
    '$(touch pwned) $HOME ${PATH}',
    '%n %% 100%',
    'a;b&c|d>e',
    'ünï',
  ].entries()) {
    const installDir = join(work, `unit-${i}`, name);
    mkdirSync(join(installDir, 'current'), { recursive: true });
    symlinkSync(process.execPath, join(installDir, 'current', 'node'));
    writeFileSync(join(installDir, 'current', 'agent.mjs'), '');
    const unit = join(work, `unit-${i}`, 'stevedore-agent.service');
    writeFileSync(unit, systemdUnit(installDir));
    // verify resolves the program path: a wrongly quoted one is "not executable" or refused.
    const verified = spawnSync('systemd-analyze', ['verify', '--man=no', unit], { encoding: 'utf8' });
    const problems = verified.stderr
      .split('\n')
      .filter((line) => line.includes('stevedore-agent.service') && !/network-online|multi-user/.test(line));
    assert.deepEqual(problems, [], `${name}: ${verified.stderr}`);
  }
  assert.ok(!existsSync(join(work, 'pwned')));
});

test('the unit escapes $, %, quotes and backslashes in arguments as systemd documents', () => {
  const unit = systemdUnit('/opt/my dir/$x/50%');
  assert.match(unit, /^EnvironmentFile=\/opt\/my dir\/\$x\/50%%\/agent\.env$/m);
  assert.match(
    unit,
    /^ExecStart="\/opt\/my dir\/\$x\/50%%\/current\/node" "\/opt\/my dir\/\$\$x\/50%%\/current\/agent\.mjs" --data-root \$\{DATA_ROOT\}/m,
  );
});

test('every path in the service script is one quoted shell word; the script parses and its messages run literally', () => {
  for (const value of HOSTILE) {
    const settings = { dataRoot: value, execRoot: value, socketPath: `${value}/agent.sock` };
    for (const systemd of [true, false]) {
      const script = serviceScript({ installDir: '/opt/x', sudo: '' }, settings, systemd);
      const parsed = spawnSync('sh', ['-n', '-c', script], { encoding: 'utf8' });
      assert.equal(parsed.status, 0, `${value}: ${parsed.stderr}`);
      assert.ok(script.includes(shellQuote(settings.socketPath)), value);
      const message = script.split('\n').find((line) => line.includes('did not come up'))!;
      const printed = execFileSync('sh', ['-c', message.replace('>&2', '')], { cwd: work, encoding: 'utf8' });
      assert.equal(printed, `the agent did not come up on ${settings.socketPath}:\n`);
    }
  }
  assert.ok(!readdirSync(work).includes('pwned'));
});
