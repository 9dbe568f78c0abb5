#!/usr/bin/env node
// Runs every test phase in order: lint, typecheck, build, unit, integration (root, real components), e2e.
// `npm test` runs all; `npm test -- unit integration` runs the named phases.
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import {
  AGENT_SYSTEM_PACKAGES,
  ensureDebianPackages,
  ensureNpmDependencies,
  TEST_SYSTEM_PACKAGES,
} from './lib.mjs';

const root = new URL('..', import.meta.url).pathname;
const totals = { passed: 0, failed: 0 };
const phases = {
  // Formatting and lint rules, then the import structure (no cycles, the agent's floor kept).
  lint: () => run('npx', ['biome', 'check', '.']) || run('node', ['scripts/check-structure.mjs']),
  // Generated Prisma clients are part of what gets typechecked.
  typecheck: () =>
    run('node', ['scripts/db.mjs', 'generate']) || run('npm', ['run', '--silent', 'typecheck']),
  build: () => run('npm', ['run', '--silent', 'build']),
  unit: () =>
    nodeTests(
      ['scripts', 'packages/shared/src', 'packages/agent-api/src', 'apps/agent/src', 'apps/web/src'],
      false,
    ),
  integration: () => nodeTests(['apps/agent/test', 'apps/web/test'], true),
  e2e: () => runCounting('npx', ['playwright', 'test', '--config', 'e2e/playwright.config.ts']),
};

const requested = process.argv.slice(2);
const selected = requested.length > 0 ? requested : Object.keys(phases);
for (const name of selected) {
  if (!(name in phases)) {
    console.error(`unknown test phase "${name}"; phases are: ${Object.keys(phases).join(', ')}`);
    process.exit(2);
  }
}
// A fresh machine needs nothing but `npm test`: install what the tests drive, then the npm packages.
if (process.getuid?.() === 0) ensureDebianPackages([...AGENT_SYSTEM_PACKAGES, ...TEST_SYSTEM_PACKAGES]);
ensureNpmDependencies();

for (const name of selected) {
  console.error(`\n=== ${name} ===`);
  const started = Date.now();
  const code = await phases[name]();
  console.error(
    `=== ${name}: ${code === 0 ? 'ok' : `FAILED (exit ${code})`} in ${((Date.now() - started) / 1000).toFixed(1)}s`,
  );
  if (code !== 0) {
    summarize();
    process.exit(code);
  }
}
summarize();

function summarize() {
  console.log(`tests: ${totals.passed} passed, ${totals.failed} failed`);
}

function run(cmd, args) {
  const result = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  return result.status ?? 1;
}

/** Runs a test runner, echoing its output and adding its pass/fail counts to the totals. */
function runCounting(cmd, args) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.on('data', (chunk) => {
      process.stdout.write(chunk);
      output += chunk.toString();
    });
    child.on('close', (code, signal) => {
      // node --test (spec reporter): "ℹ pass 12" / "ℹ fail 0"; Playwright: "  6 passed (8.5s)" / "  1 failed".
      // The runner's own summary: the last such line (failure details may follow it).
      const count = (re) => Number([...output.matchAll(re)].at(-1)?.[1] ?? 0);
      totals.passed += count(/^ℹ pass (\d+)$/gm) + count(/^\s+(\d+) passed \(/gm);
      totals.failed += count(/^ℹ fail (\d+)$/gm) + count(/^\s+(\d+) failed$/gm);
      resolve(code ?? (signal ? 1 : 0));
    });
  });
}

function findTests(dir) {
  const abs = join(root, dir);
  let entries;
  try {
    entries = readdirSync(abs, { recursive: true });
  } catch {
    return [];
  }
  return entries
    .filter((p) => p.endsWith('.test.ts') && !p.includes('node_modules'))
    .map((p) => relative(root, join(abs, p)))
    .filter((p) => statSync(join(root, p)).isFile())
    .sort();
}

function nodeTests(dirs, needsRoot) {
  const files = dirs.flatMap(findTests);
  if (files.length === 0) {
    console.error('no test files found');
    return 1;
  }
  if (needsRoot && process.getuid?.() !== 0) {
    console.error('integration tests drive runc, iptables and mounts: run them as root');
    return 1;
  }
  // Integration tests share host resources (iptables, cgroups), so run files one at a time.
  const concurrency = needsRoot ? ['--test-concurrency=1'] : [];
  return runCounting('node', ['--import', 'tsx', '--test', ...concurrency, '--test-reporter=spec', ...files]);
}
