import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type AgentProcess, runAgentToExit, startAgent } from './harness/agent-process.js';
import { agentCli } from './harness/cli-process.js';

// Two agents on one root would hand out the same addresses and adopt each other's containers:
// the second is refused, naming the holder, and a holder killed with -9 leaves no stale lock.
describe('one agent per data-root and exec-root', () => {
  let agent: AgentProcess;
  let spare: string;

  before(async () => {
    agent = await startAgent();
    spare = mkdtempSync('/tmp/stevedore-lock-');
  });
  after(async () => {
    await agent?.stop();
    if (spare) rmSync(spare, { recursive: true, force: true });
  });

  /** A second agent with its own socket and bridge but the given roots; it must exit by itself. */
  const second = (dataRoot: string, execRoot: string) =>
    runAgentToExit(
      [
        '--data-root',
        dataRoot,
        '--exec-root',
        execRoot,
        '-H',
        `unix://${join(spare, 'second.sock')}`,
        '--bridge',
        'sdtlocktest',
        '--iptables=false',
      ],
      15_000,
    );

  test('a second agent on the same data-root is refused with the holder named', async () => {
    const result = await second(agent.dataRoot, join(spare, 'exec'));
    assert.notEqual(result.code, 0, 'refused');
    assert.match(result.stderr, /data-root .* is in use by another stevedore-agent/);
    assert.ok(result.stderr.includes(agent.dataRoot), result.stderr);
    assert.ok(result.stderr.includes(`pid ${agent.pid}`), result.stderr);
    const info = await agentCli(agent.host).cli('info', '--format', '{{.DockerRootDir}}');
    assert.equal(info.code, 0, 'the first agent still answers');
  });

  test('a second agent on the same exec-root is refused', async () => {
    const result = await second(join(spare, 'data'), agent.execRoot);
    assert.notEqual(result.code, 0, 'refused');
    assert.match(result.stderr, /exec-root .* is in use by another stevedore-agent/);
    assert.ok(result.stderr.includes(agent.execRoot), result.stderr);
    assert.ok(result.stderr.includes(`pid ${agent.pid}`), result.stderr);
  });

  test('after kill -9 of the holder a new agent starts on the same roots', async () => {
    await agent.kill9();
    await agent.restart();
    const info = await agentCli(agent.host).cli('info', '--format', '{{.DockerRootDir}}');
    assert.equal(info.code, 0, info.stderr);
    assert.equal(info.stdout.trim(), agent.dataRoot);
  });
});
