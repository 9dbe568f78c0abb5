#!/usr/bin/env node
import { spawnSync } from 'node:child_process';
// Brings a fresh clone to a runnable state, idempotently: system packages, npm dependencies, build,
// database migration. Used by `npm start` (and by CI before `npm test`).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import {
  AGENT_SYSTEM_PACKAGES,
  ensureDebianPackages,
  ensureNpmDependencies,
  repoRoot,
  run,
  sha256,
} from './lib.mjs';

if (process.getuid?.() !== 0) {
  console.error('Stevedore manages containers, mounts and iptables: run this as root.');
  process.exit(1);
}

ensureDebianPackages(AGENT_SYSTEM_PACKAGES);

ensureNpmDependencies();

// Rebuild only when the sources changed since the last build.
const sourceHash = sourceFingerprint();
const buildStamp = `${repoRoot}/node_modules/.stevedore-build`;
if (sourceHash === null || !existsSync(buildStamp) || readFileSync(buildStamp, 'utf8') !== sourceHash) {
  console.error('Building…');
  run('npm', ['run', '--silent', 'build']);
  if (sourceHash) writeFileSync(buildStamp, sourceHash);
}

run('node', ['scripts/db.mjs', 'deploy']);

/** Hash of the tracked sources plus uncommitted edits; null outside a git checkout. */
function sourceFingerprint() {
  const listed = spawnSync('git', ['ls-files', '-s'], {
    cwd: repoRoot,
    encoding: 'utf8',
  });
  if (listed.status !== 0) return null;
  const diff = spawnSync('git', ['diff', 'HEAD'], { cwd: repoRoot, encoding: 'utf8', maxBuffer: 1 << 28 });
  return sha256(listed.stdout + (diff.stdout ?? ''));
}
