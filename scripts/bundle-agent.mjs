#!/usr/bin/env node
// Packages the agent for installation on another machine over SSH (apps/agent/dist/package/):
//   agent.mjs                 the agent bundled into one ESM file (after `tsc -b`)
//   apply-layer-worker.js     the layer extraction worker, bundled beside it
//   node_modules/…            only the native modules it keeps external, pruned to what they load
//                             on Linux (node-pty's build/Release, node-unix-socket's gnu binaries)
//   package.json              name and version
// The dashboard adds its own `node` binary when it ships the package, so the remote machine needs
// no Node.js of its own.
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { NODE_BUNDLE_OPTIONS, repoRoot } from './lib.mjs';

const agent = join(repoRoot, 'apps/agent');
const out = join(agent, 'dist/package');
const { version } = JSON.parse(readFileSync(join(agent, 'package.json'), 'utf8'));
const NATIVE = ['node-pty', 'node-unix-socket'];

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
await build({
  stdin: {
    contents: "import { main } from './dist/main.js';\nprocess.exit(await main(process.argv.slice(2)));\n",
    resolveDir: agent,
    sourcefile: 'stevedore-agent.js',
  },
  outfile: join(out, 'agent.mjs'),
  ...NODE_BUNDLE_OPTIONS,
  external: [...NATIVE, 'bufferutil', 'utf-8-validate'],
  define: { STEVEDORE_BUNDLED_VERSION: JSON.stringify(version) },
});

// Layer extraction runs in worker threads; the bundle finds their module beside agent.mjs.
await build({
  entryPoints: [join(agent, 'dist/storage/extract/apply-layer-worker.js')],
  outfile: join(out, 'apply-layer-worker.js'),
  ...NODE_BUNDLE_OPTIONS,
});
// Log searches run in worker threads too (a user's regex must not stall the event loop).
await build({
  entryPoints: [join(agent, 'dist/runtime/logs/log-search-worker.js')],
  outfile: join(out, 'log-search-worker.js'),
  ...NODE_BUNDLE_OPTIONS,
});

const modules = join(repoRoot, 'node_modules');
const copy = (relative) => {
  const from = join(modules, relative);
  if (existsSync(from)) cpSync(from, join(out, 'node_modules', relative), { recursive: true });
};
for (const file of ['package.json', 'lib', 'build/Release']) copy(join('node-pty', file));
for (const file of ['package.json', 'js']) copy(join('node-unix-socket', file));
copy(`node-unix-socket-linux-${process.arch}-gnu`);
writeFileSync(
  join(out, 'package.json'),
  `${JSON.stringify({ name: 'stevedore-agent', version, type: 'module' }, null, 2)}\n`,
);
