import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { type AgentProcess, startAgent } from '../harness/agent-process.js';
import { runCli } from '../harness/cli-process.js';
import { type DockerEngine, startDockerEngine } from '../harness/docker-engine.js';
import { removeTestTree } from '../harness/leftovers.js';
import { startRegistry, type TestRegistry } from '../harness/registry.js';
import type { ExitResult } from '../harness/run-to-exit.js';
import { pushBusybox } from '../harness/test-images.js';
import { compareResults, type Difference } from './compare.js';
import { KNOWN_DIFFERENCES, type KnownDifference, knownEntryFor } from './known-differences.js';
import { type Case, MATRIX } from './matrix.js';

/**
 * The differential suite: the same command matrix against Docker Engine (Debian's docker.io,
 * started here on its own socket and roots) and against Stevedore; every difference not in the
 * reviewed list (known-differences.ts) fails.
 */
const started = await startDockerEngine();
const unavailable = 'unavailable' in started ? started.unavailable : undefined;
if (unavailable) {
  process.stderr.write(
    `\n${'!'.repeat(78)}\n!! differential suite SKIPPED: Docker Engine cannot run here: ${unavailable}\n${'!'.repeat(78)}\n\n`,
  );
}

describe('differential: stevedore against Docker Engine', { skip: unavailable ?? false }, () => {
  const docker = 'engine' in started ? (started.engine as DockerEngine) : (undefined as never);
  let registry: TestRegistry;
  let agent: AgentProcess;
  let image: string;
  const suiteStarted = Date.now();
  const tmp = { docker: '', stevedore: '' };
  const usedEntries = new Set<KnownDifference>();
  // DIFFERENTIAL_CASES=images,tag-rmi runs only those cases (while working on them).
  const only = process.env.DIFFERENTIAL_CASES?.split(',');
  const cases = MATRIX.filter((testCase) => !only || only.includes(testCase.id));

  type Engine = 'docker' | 'stevedore';
  const runOn = (engine: Engine, args: string[]): Promise<ExitResult> =>
    engine === 'docker' ? docker.cli(args) : runCli(['-H', agent.host, ...args], {}, 60_000);

  const fill = (engine: Engine, args: string[], since: number) =>
    args.map((arg) =>
      arg
        .replaceAll('{image}', image)
        .replaceAll('{registry}', registry.host)
        .replaceAll('{tmp}', tmp[engine])
        .replaceAll('{since}', String(since))
        .replaceAll('{now}', (Date.now() / 1000).toFixed(3)),
    );

  async function runCase(testCase: Case): Promise<Difference[]> {
    const since = Math.floor(Date.now() / 1000) - 1;
    const differences: Difference[] = [];
    try {
      for (const [index, step] of testCase.steps.entries()) {
        // Both engines at once: they share nothing but the registry.
        const [theirs, ours] = await Promise.all([
          runOn('docker', fill('docker', step.args, since)),
          runOn('stevedore', fill('stevedore', step.args, since)),
        ]);
        differences.push(
          ...compareResults(
            `${testCase.id}#${index + 1}`,
            step.stdout ?? 'exact',
            theirs,
            ours,
            step.stderr ?? true,
          ),
        );
      }
    } finally {
      for (const args of testCase.cleanup ?? []) {
        await Promise.all(
          (['docker', 'stevedore'] as const).map(async (engine) => {
            const result = await runOn(engine, fill(engine, args, since));
            if (process.env.DIFFERENTIAL_VERBOSE && result.code !== 0)
              process.stderr.write(`cleanup ${engine} ${args.join(' ')}: ${result.stderr}`);
          }),
        );
      }
    }
    return differences;
  }

  before(async () => {
    registry = await startRegistry();
    image = (await pushBusybox(registry, 'diff/busybox', 'v1')).reference;
    agent = await startAgent();
    tmp.docker = mkdtempSync('/tmp/stevedore-differential-docker-');
    tmp.stevedore = mkdtempSync('/tmp/stevedore-differential-stevedore-');
    // Both engines hold the image before the matrix starts (the `images` case pulls again).
    for (const engine of ['docker', 'stevedore'] as const) {
      const pulled = await runOn(engine, ['pull', '-q', image]);
      assert.equal(pulled.code, 0, `${engine} pull ${image}: ${pulled.stderr}`);
    }
  });

  after(async () => {
    for (const engine of ['docker', 'stevedore'] as const) {
      const ids =
        (await runOn(engine, ['ps', '-aq']).catch(() => null))?.stdout.split('\n').filter(Boolean) ?? [];
      if (ids.length > 0) await runOn(engine, ['rm', '-f', ...ids]);
    }
    await agent?.stop();
    await docker.stop();
    await registry?.stop();
    for (const dir of Object.values(tmp)) if (dir) removeTestTree(dir);
    const ran = new Set(cases.map((testCase) => testCase.id));
    const stale = KNOWN_DIFFERENCES.filter(
      (entry) => ran.has(entry.where.split('#')[0] ?? '') && !usedEntries.has(entry),
    );
    if (stale.length > 0)
      process.stderr.write(
        `differential: ${stale.length} known difference(s) no longer seen (remove them from known-differences.ts):\n${stale
          .map((entry) => `  ${entry.where} ${entry.aspect}: ${entry.reason}`)
          .join('\n')}\n`,
      );
    process.stderr.write(
      `differential: ${cases.length} cases against Docker ${docker.version} in ${((Date.now() - suiteStarted) / 1000).toFixed(1)} s\n`,
    );
  });

  for (const testCase of cases) {
    test(`${testCase.id}: ${testCase.steps.length} steps as Docker's`, async () => {
      const differences = await runCase(testCase);
      const unexplained: Difference[] = [];
      for (const difference of differences) {
        const entry = knownEntryFor(difference);
        if (entry) usedEntries.add(entry);
        else unexplained.push(difference);
      }
      // DIFFERENTIAL_DUMP=all: every difference, explained or not (to see which entries still apply).
      if (process.env.DIFFERENTIAL_DUMP === 'all')
        process.stdout.write(`${differences.map((d) => `ALL ${JSON.stringify(d)}`).join('\n')}\n`);
      if (process.env.DIFFERENTIAL_DUMP)
        process.stdout.write(`${unexplained.map((d) => `DIFF ${JSON.stringify(d)}`).join('\n')}\n`);
      assert.deepEqual(
        unexplained.map((d) => `${d.where} ${d.aspect}: ${d.detail}`),
        [],
        'differences from Docker not in known-differences.ts',
      );
    });
  }
});
