#!/usr/bin/env node
// Bundles the `stevedore` CLI into one ESM file (apps/agent/dist/cli/bundle.mjs) after `tsc -b`:
// resolving ~200 modules at every start cost more than the command itself. Native modules stay
// external. bin/stevedore.js uses the bundle when it is at least as new as the tsc output.
import { join } from 'node:path';
import { build } from 'esbuild';
import { NODE_BUNDLE_OPTIONS, repoRoot } from './lib.mjs';

const agent = join(repoRoot, 'apps/agent');
await build({
  entryPoints: [join(agent, 'dist/cli/main.js')],
  outfile: join(agent, 'dist/cli/bundle.mjs'),
  ...NODE_BUNDLE_OPTIONS,
  external: ['node-pty', 'node-unix-socket', 'bufferutil', 'utf-8-validate'],
});
