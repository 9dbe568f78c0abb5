#!/usr/bin/env node
// Bundles the `stevedore` CLI into one ESM file (apps/agent/dist/cli/bundle.mjs) after `tsc -b`:
// resolving ~200 modules at every start cost more than the command itself. Native modules stay
// external. bin/stevedore.js uses the bundle when it is at least as new as the tsc output.
import { join } from 'node:path';
import { build } from 'esbuild';
import { repoRoot } from './lib.mjs';

const agent = join(repoRoot, 'apps/agent');
await build({
  entryPoints: [join(agent, 'dist/cli/main.js')],
  outfile: join(agent, 'dist/cli/bundle.mjs'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: ['node-pty', 'node-unix-socket', 'bufferutil', 'utf-8-validate'],
  // Some dependencies are CommonJS and call require().
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
  logLevel: 'warning',
});
