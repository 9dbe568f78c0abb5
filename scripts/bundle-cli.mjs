#!/usr/bin/env node
// Bundles the `stevedore` CLI after `tsc -b` (resolving ~200 modules at every start cost more than
// the command itself), in two forms:
//   dist/cli/bundle.mjs       one ESM file, run by bin/stevedore.js
//   dist/cli/stevedore.blob   a V8 startup snapshot of the same code, already evaluated (a CommonJS
//                             build of it, as Node's snapshot builder needs), with the path of the
//                             Node binary that built it in stevedore.blob.node; bin/stevedore starts
//                             from it when that Node runs it, and falls back to bin/stevedore.js
// Native modules stay external (the CLI loads none).
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { gitCommit } from '../apps/agent/dist/system/version.js';
import { NODE_BUNDLE_OPTIONS, repoRoot } from './lib.mjs';

const agent = join(repoRoot, 'apps/agent');
const external = ['node-pty', 'node-unix-socket', 'bufferutil', 'utf-8-validate'];
// `stevedore --version` names the commit it was built from, without running git at every call.
const commit = await gitCommit();
await build({
  entryPoints: [join(agent, 'dist/cli/main.js')],
  outfile: join(agent, 'dist/cli/bundle.mjs'),
  ...NODE_BUNDLE_OPTIONS,
  external,
  define: { STEVEDORE_BUILD_COMMIT: JSON.stringify(commit) },
});

const blob = join(agent, 'dist/cli/stevedore.blob');
const script = join(agent, 'dist/cli/snapshot.cjs');
rmSync(`${blob}.node`, { force: true });
await build({
  entryPoints: [join(agent, 'dist/cli/snapshot-entry.js')],
  outfile: script,
  ...NODE_BUNDLE_OPTIONS,
  format: 'cjs',
  // Built-ins Node's snapshot builder does not support (or has not verified) are loaded when first
  // used at run time, not while the snapshot is made: their state would not survive it.
  banner: {
    js: lazyBuiltins(['child_process', 'readline', 'stream/consumers', 'http', 'https', 'net', 'tls']),
  },
  minify: true,
  keepNames: true,
  external,
  define: {
    STEVEDORE_BUILD_COMMIT: JSON.stringify(commit),
    // The one module that reads import.meta.url finds package.json from it, while the snapshot is
    // made: the version is in the snapshot's heap from then on.
    'import.meta.url': JSON.stringify(pathToFileURL(join(agent, 'dist/system/version.js')).href),
  },
});
// A dynamic import esbuild left to Node (a built-in's) cannot run from a snapshot: the module that
// needs it has to be imported lazily itself, as the CLI's TLS and WebSocket modules are.
const leftover = /\bimport\("([^"]+)"\)/.exec(readFileSync(script, 'utf8'));
if (leftover) throw new Error(`the CLI's snapshot script imports "${leftover[1]}" dynamically`);
const built = spawnSync(process.execPath, ['--snapshot-blob', blob, '--build-snapshot', script], {
  encoding: 'utf8',
});
if (built.status !== 0) {
  console.error(built.stderr);
  throw new Error(`building the CLI's startup snapshot failed (exit ${built.status})`);
}
writeFileSync(`${blob}.node`, `${process.execPath}\n`);

/** A `require` that hands out `names` as proxies loading the real module on first property access. */
function lazyBuiltins(names) {
  const lazy = JSON.stringify(names.flatMap((name) => [name, `node:${name}`]));
  return `var require = ((load, lazy) => (name) => {
  if (!lazy.has(name)) return load(name);
  let real;
  return new Proxy({}, { get: (_, key) => (real ??= load(name))[key], has: (_, key) => key in (real ??= load(name)) });
})(require, new Set(${lazy}));`;
}
