import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type AgentProcess, startAgent } from './harness/agent-process.js';
import { agentCli } from './harness/cli-process.js';
import { type Canaries, plantCanaries, tarOfEntries } from './harness/hostile-layers.js';
import { rawRequest } from './harness/raw-http.js';
import { startRegistry, type TestRegistry } from './harness/registry.js';
import { pushBusybox } from './harness/test-images.js';
import { until } from './harness/until.js';

/**
 * The CVE-2018-15664 class: a running container swaps a directory for a symlink to `/` in a tight
 * loop while the engine copies into and out of it, exports it and commits it. Whatever the timing,
 * the engine must resolve the container's paths as the container sees them, never on the host.
 */
describe('a container racing symlink swaps never makes the engine touch host files', () => {
  let registry: TestRegistry;
  let agent: AgentProcess;
  let base: string;
  let canaries: Canaries;
  let pristine: string;
  let container = '';
  const SECRET = 'HOST-SECRET-4f1d';
  const { cli } = agentCli(() => agent.host, { timeoutMs: 60_000 });
  const request = (head: string[], body: Buffer | string = '') =>
    rawRequest(
      { socketPath: agent.socketPath },
      [...head, 'Host: agent', 'Connection: close'].join('\r\n'),
      body,
    );

  before(async () => {
    registry = await startRegistry();
    agent = await startAgent();
    base = mkdtempSync(join(tmpdir(), 'stevedore-swap-'));
    canaries = plantCanaries(base);
    writeFileSync(canaries.file, `${SECRET}\n`);
    pristine = canaries.snapshot();
    const busybox = await pushBusybox(registry);
    // Inside the container the canary's path exists too (with harmless content), so the engine's
    // operations succeed there; the host's copy must never be read or written.
    const inside = canaries.dir;
    const script = [
      `mkdir -p /x/real${inside} ${inside}`,
      `echo container copy > /x/real${inside}/file`,
      `echo container copy > ${inside}/file`,
      'mv /x/real /x/swap',
      'while :; do mv /x/swap /x/real; ln -s / /x/swap; rm /x/swap; mv /x/real /x/swap; done',
    ].join('; ');
    const run = await cli('run', '-d', '--network', 'none', busybox.reference, 'sh', '-c', script);
    assert.equal(run.code, 0, run.stderr);
    container = run.stdout.trim();
    await until('the swap loop', async () =>
      (await cli('exec', container, 'ls', '/x')).stdout.includes('swap'),
    );
  });
  after(async () => {
    if (container) await cli('rm', '-f', container);
    await agent?.stop();
    await registry?.stop();
    rmSync(base, { recursive: true, force: true });
  });

  test('200 rounds of cp in and out, 50 exports and commits without pausing: host canaries untouched', async () => {
    const target = `/x/swap${canaries.dir}`;
    const payload = await tarOfEntries([
      { header: { name: 'file', type: 'file', mode: 0o644 }, content: Buffer.from('pwned\n') },
    ]);
    const outcomes = { copiedIn: 0, copiedOut: 0, exported: 0 };
    for (let round = 0; round < 200; round++) {
      const into = await request(
        [
          `PUT /containers/${container}/archive?path=${encodeURIComponent(target)} HTTP/1.1`,
          'Content-Type: application/x-tar',
          `Content-Length: ${payload.length}`,
        ],
        payload,
      );
      // Mid-swap the path may be missing (404); anything else must have gone into the container.
      assert.ok([200, 404].includes(into.status), `cp in, round ${round}: ${into.status} ${into.body}`);
      if (into.status === 200) outcomes.copiedIn++;

      const out = await request([
        `GET /containers/${container}/archive?path=${encodeURIComponent(`${target}/file`)} HTTP/1.1`,
      ]);
      assert.ok([200, 404].includes(out.status), `cp out, round ${round}: ${out.status} ${out.body}`);
      assert.ok(!out.body.includes(SECRET), `cp out, round ${round}, read the host's file`);
      if (out.status === 200) outcomes.copiedOut++;

      // An export walks the whole filesystem (seconds on a loaded machine): every fourth round.
      if (round % 4 === 0) {
        const exported = await request([`GET /containers/${container}/export HTTP/1.1`]);
        assert.equal(exported.status, 200, exported.body.slice(0, 200));
        assert.ok(!exported.body.includes(SECRET), `export, round ${round}, holds the host's file`);
        outcomes.exported++;
      }
      assert.equal(canaries.snapshot(), pristine, `a host file changed in round ${round}`);
    }
    // The race must have been run for real, both ways.
    assert.ok(outcomes.copiedIn >= 20 && outcomes.copiedOut >= 20, JSON.stringify(outcomes));

    for (let round = 0; round < 5; round++) {
      const committed = await cli('commit', '--pause=false', container, `swap/commit:${round}`);
      // A file that changes while it is read fails the commit; it never takes a host file along.
      if (committed.code !== 0) {
        assert.match(committed.stderr, /changed|No such file|ENOENT/, committed.stderr);
        continue;
      }
      const saved = await cli('save', `swap/commit:${round}`);
      assert.equal(saved.code, 0, saved.stderr);
      assert.ok(!saved.stdout.includes(SECRET), `commit ${round} took the host's file into the image`);
      assert.equal(canaries.snapshot(), pristine, `a host file changed by commit ${round}`);
    }
  });
});
