import assert from 'node:assert/strict';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import type { AgentProcess } from './harness/agent-process.js';
import { useContainerAgent } from './harness/container-agent.js';

describe('containers: logs and their rotation', () => {
  const suite = useContainerAgent();
  const { cli, runDetached } = suite;
  let agent: AgentProcess;
  let image: string;
  before(() => {
    ({ agent, image } = suite);
  });

  test('logs: --tail, -t, --since and -f until the container exits', async () => {
    const id = await runDetached(
      image,
      'sh',
      '-c',
      'for i in 1 2 3 4 5; do echo line-$i; done; echo oops >&2; sleep 1; echo last',
    );
    const followed = await cli('logs', '-f', id);
    assert.equal(followed.code, 0);
    assert.equal(followed.stdout, 'line-1\nline-2\nline-3\nline-4\nline-5\nlast\n');
    assert.equal(followed.stderr, 'oops\n');
    assert.equal((await cli('logs', '--tail', '2', id)).stdout, 'last\n');
    const stamped = await cli('logs', '-t', '--tail', '1', id);
    assert.match(stamped.stdout, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z last\n$/);
    assert.equal((await cli('logs', '--since', String(Date.now() / 1000 + 60), id)).stdout, '');
    await cli('rm', id);
  });

  test('log-opt max-size and max-file rotate the log; logs reads across the rotated files', async () => {
    const id = await runDetached(
      '--log-opt',
      'max-size=4k',
      '--log-opt',
      'max-file=3',
      image,
      'sh',
      '-c',
      'i=0; while [ $i -lt 400 ]; do echo "line $i padded to be a little longer"; i=$((i+1)); sleep 0.005; done; sleep 2; echo done',
    );
    assert.equal((await cli('wait', id)).stdout.trim(), '0');
    const dir = join(agent.dataRoot, 'containers', id);
    const files = readdirSync(dir).filter((name) => name.startsWith(`${id}.log`));
    // Besides the current file (`<id>.log`): the rotated ones.
    assert.deepEqual(
      files.filter((name) => name !== `${id}.log`).sort(),
      [`${id}.log.1`, `${id}.log.2`],
      'two rotated files, no more',
    );
    for (const name of files) {
      const size = statSync(join(dir, name)).size;
      assert.ok(size < 16 * 1024, `${name} is ${size} bytes: rotated near 4k, not left to grow`);
    }
    const logs = (await cli('logs', id)).stdout.trim().split('\n');
    assert.equal(logs.at(-1), 'done');
    assert.ok(logs.length < 400, `older lines were rotated away (${logs.length} kept)`);
    assert.match(logs[0]!, /^line \d+ padded/);
    const refused = await cli('create', '--log-opt', 'max-file=zero', image, 'true');
    assert.equal(refused.code, 1, 'the engine refused: docker create exits 1');
    assert.match(refused.stderr, /invalid log-opt max-file "zero"/);
    await cli('rm', id);
  });
});
