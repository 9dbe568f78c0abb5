/**
 * No line lost at rotation: writers numbering their lines at full speed with max-size=64k, the
 * files read directly (every record, `P` parts joined), through `logs`, and through a follower
 * that started before the writer. Every line from the oldest kept one to the last is there once,
 * in order; with room for every file, all of them.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type AgentConnection, createAgentClient } from '@stevedore/agent-api';
import type { LogLine } from '@stevedore/shared';
import { startAgent } from './harness/agent-process.js';
import { agentCli } from './harness/cli-process.js';
import { useContainerAgent } from './harness/container-agent.js';
import { startRegistry, type TestRegistry } from './harness/registry.js';
import { pushBusybox } from './harness/test-images.js';
import { until } from './harness/until.js';

const LINES = 40_000;
const PAD_LENGTH = 200;
/** `L<n> 000…` as fast as busybox sh writes it: one write(2) per line. */
const shWriter = (lines: number) =>
  `pad=$(printf %0${PAD_LENGTH}d 0); i=0; while [ $i -lt ${lines} ]; do i=$((i+1)); echo "L$i $pad"; done`;
/** The same lines from awk: its output goes out in 4 KiB writes, lines cut across them. */
const awkWriter = (lines: number) =>
  `awk 'BEGIN { pad = sprintf("%0${PAD_LENGTH}d", 0); for (i = 1; i <= ${lines}; i++) print "L" i " " pad }'`;

/** The number of a whole `L<n> 000…` line, or null for anything else (a fragment). */
const lineNumber = (text: string) => {
  const match = /^L(\d+) (0+)$/.exec(text);
  return match && match[2]?.length === PAD_LENGTH ? Number(match[1]) : null;
};

/** The stdout lines of conmon's k8s-file records, partial (`P`) records joined to what follows. */
const parseRecords = (text: string) => {
  const lines: string[] = [];
  let pending = '';
  for (const record of text.split('\n')) {
    const match = /^\S+ stdout ([FP]) (.*)$/.exec(record);
    if (!match) continue;
    pending += match[2];
    if (match[1] === 'F') {
      lines.push(pending);
      pending = '';
    }
  }
  return lines;
};

/**
 * What is wrong with `numbers` as the lines `first`…`last` in order, each once (empty: nothing).
 * Lists the first few gaps and repeats with their sizes, for the failure message.
 */
const problems = (numbers: readonly number[], first: number, last: number): string[] => {
  const found: string[] = [];
  if (numbers[0] !== first) found.push(`starts at ${numbers[0]}, not ${first}`);
  for (let i = 1; i < numbers.length && found.length < 10; i++) {
    const [before, now] = [numbers[i - 1] as number, numbers[i] as number];
    if (now === before + 1) continue;
    found.push(now > before ? `lines ${before + 1}–${now - 1} missing` : `${now} after ${before}`);
  }
  if (numbers.at(-1) !== last) found.push(`ends at ${numbers.at(-1)}, not ${last}`);
  return found;
};

/** A log's files oldest first, as they are on disk: `<id>.log.N` … `<id>.log.1`, `<id>.log`. */
const logFilesOf = (dir: string, id: string) => {
  const generation = (name: string) => (name === `${id}.log` ? 0 : Number(name.slice(`${id}.log.`.length)));
  return readdirSync(dir)
    .filter(
      (name) =>
        name === `${id}.log` ||
        (name.startsWith(`${id}.log.`) && /^\d+$/.test(name.slice(`${id}.log.`.length))),
    )
    .sort((a, b) => generation(b) - generation(a))
    .map((name) => join(dir, name));
};

describe('logs: rotation loses no line', { timeout: 900_000 }, () => {
  const suite = useContainerAgent();
  const { cli, runDetached } = suite;
  let local: AgentConnection;
  before(() => {
    local = createAgentClient({ host: suite.agent.host });
  });
  after(async () => {
    await local?.close();
  });

  const filesOf = (id: string) => logFilesOf(join(suite.agent.dataRoot, 'containers', id), id);
  /** The stdout lines the files hold, oldest first. */
  const linesInFiles = (id: string) =>
    parseRecords(
      filesOf(id)
        .map((path) => readFileSync(path, 'utf8'))
        .join(''),
    );
  const waitForExit = (id: string) =>
    until(
      'the writer to finish',
      async () => (await suite.inspect(id, '{{.State.Status}}')) === 'exited',
      300_000,
    );
  const logsOf = async (id: string) => {
    const result = await cli('logs', id);
    assert.equal(result.code, 0, result.stderr);
    return result.stdout.split('\n').slice(0, -1);
  };

  for (const [writer, script] of [
    ['sh, a write per line', shWriter(LINES)],
    ['awk, lines cut across 4 KiB writes', awkWriter(LINES)],
  ] as const) {
    test(`${writer}, max-size=64k max-file=5: the kept files hold every line from their first to the last`, async (t) => {
      const id = await runDetached(
        '--log-opt',
        'max-size=64k',
        '--log-opt',
        'max-file=5',
        suite.image,
        'sh',
        '-c',
        script,
      );
      try {
        await waitForExit(id);
        const files = filesOf(id);
        t.diagnostic(`${files.length} files`);
        assert.ok(files.length >= 2, `the log rotated (${files.length} files)`);
        const inFiles = linesInFiles(id);
        // The oldest kept file may begin with the end of a line whose start was in a deleted one.
        const whole = lineNumber(inFiles[0] ?? '') === null ? inFiles.slice(1) : inFiles;
        const numbers = whole.map(lineNumber);
        assert.ok(
          numbers.every((n) => n !== null),
          'every line whole',
        );
        const kept = numbers as number[];
        assert.deepEqual(problems(kept, kept[0] as number, LINES), []);
        assert.ok(kept.length > 200, `${kept.length} lines kept`);
        const logs = await logsOf(id);
        assert.deepEqual(logs.slice(-kept.length), whole, '`logs` reads what the files hold');
      } finally {
        await cli('rm', '-f', id);
      }
    });
  }

  test('every line of 40,000 in the files, in `logs` and in a follower that started before the writer', async (t) => {
    // Room for every file: nothing may be missing. The writer starts once the follower is on.
    const id = await runDetached(
      '--log-opt',
      'max-size=64k',
      '--log-opt',
      'max-file=1000',
      suite.image,
      'sh',
      '-c',
      `echo ready; while [ ! -e /tmp/go ]; do sleep 0.05; done; ${shWriter(LINES)}`,
    );
    const followed: LogLine[] = [];
    let followError: unknown = null;
    const ended = new Promise<void>((resolve) => {
      const subscription = local.client.containers.logs.subscribe(
        { container: id, follow: true },
        {
          onData: (batch) => followed.push(...batch),
          onError: (error) => {
            followError = error;
            resolve();
          },
          onComplete: () => resolve(),
        },
      );
      void subscription;
    });
    try {
      await until('the follower to read the first line', async () => followed.length > 0, 30_000);
      const touched = await cli('exec', id, 'touch', '/tmp/go');
      assert.equal(touched.code, 0, touched.stderr);
      await waitForExit(id);
      await ended;
      assert.equal(followError, null);
      const expected = Array.from({ length: LINES }, (_, i) => i + 1);
      const fromFiles = linesInFiles(id).slice(1).map(lineNumber);
      const sizes = filesOf(id).map((path) => statSync(path).size);
      t.diagnostic(`${sizes.length} files, the largest ${Math.max(...sizes)} bytes`);
      // Under load the rotation falls behind the writer (files of MBs, not 64 KiB): a few are enough
      // for the follower to cross rotations.
      assert.ok(sizes.length > 2, `the log rotated (${sizes.length} files)`);
      assert.deepEqual(problems(fromFiles as number[], 1, LINES), [], 'the files');
      assert.deepEqual(fromFiles, expected);
      const fromLogs = (await logsOf(id)).slice(1).map(lineNumber);
      assert.deepEqual(problems(fromLogs as number[], 1, LINES), [], '`logs`');
      const fromFollower = followed.slice(1).map((line) => lineNumber(line.text));
      assert.deepEqual(problems(fromFollower as number[], 1, LINES), [], 'the follower');
      assert.equal(followed[0]?.text, 'ready');
    } finally {
      await cli('rm', '-f', id);
    }
  });
});

// kill -9 of the agent in the middle of a rotation, at each step: the container writes on, the
// next agent finishes the rotation and goes on rotating, and every line is in the files once.
describe('logs: an agent killed mid-rotation loses no line', { timeout: 900_000 }, () => {
  let registry: TestRegistry;
  let image: string;
  before(async () => {
    registry = await startRegistry();
    image = (await pushBusybox(registry)).reference;
  });
  after(async () => {
    await registry?.stop();
  });

  for (const point of ['log-shifted', 'log-linked', 'log-reopen-asked'] as const) {
    test(`crash at ${point}`, async (t) => {
      const agent = await startAgent({ env: { STEVEDORE_TEST_CRASH_AT: point } });
      t.after(() => agent.stop());
      const { cli, ok } = agentCli(() => agent.host, { timeoutMs: 60_000, trim: true });
      await ok('pull', '-q', image);
      const first = 2000;
      // Lines up to `first` (the agent dies rotating them; `run -d` has answered by then), then,
      // once told and after a second (longer than the next agent's grace before it finishes a
      // reopen it inherited: a fast machine writes the rest within it), the rest.
      const script = `pad=$(printf %0${PAD_LENGTH}d 0); i=0; write() { while [ $i -lt $1 ]; do i=$((i+1)); echo "L$i $pad"; done; }; sleep 1; write ${first}; while [ ! -e /tmp/go ]; do sleep 0.05; done; sleep 1; write ${LINES}`;
      const id = await ok(
        'run',
        '-d',
        '--log-opt',
        'max-size=64k',
        '--log-opt',
        'max-file=1000',
        image,
        'sh',
        '-c',
        script,
      );
      try {
        const pid = agent.pid as number;
        await until(
          'the agent to die at the point',
          async () => {
            try {
              process.kill(pid, 0);
              return false;
            } catch {
              return true;
            }
          },
          60_000,
        );
        await agent.restart({ env: {} });
        await ok('exec', id, 'touch', '/tmp/go');
        await until(
          'the writer to finish',
          async () => (await ok('inspect', '--format', '{{.State.Status}}', id)) === 'exited',
          300_000,
        );
        const dir = join(agent.dataRoot, 'containers', id);
        const numbers = parseRecords(
          logFilesOf(dir, id)
            .map((path) => readFileSync(path, 'utf8'))
            .join(''),
        ).map(lineNumber);
        assert.deepEqual(problems(numbers as number[], 1, LINES), []);
        const sizes = logFilesOf(dir, id).map((path) => statSync(path).size);
        t.diagnostic(`${sizes.length} files, the largest ${Math.max(...sizes)} bytes`);
        assert.ok(sizes.length > 3, 'the next agent rotated the log');
        const names = readdirSync(dir).filter((name) => name.startsWith(`${id}.log`));
        assert.deepEqual(
          names.filter((name) => !/^[0-9a-f]{64}\.log(\.\d+)?$/.test(name)),
          [],
          'nothing half done left',
        );
      } finally {
        await cli('rm', '-f', id);
      }
    });
  }
});
