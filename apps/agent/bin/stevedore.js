#!/usr/bin/env node
import { statSync } from 'node:fs';

// The bundled CLI starts about twice as fast; it is used unless `tsc -b` has built since (its
// build-info file changes whenever any output does).
const mtime = (path) => statSync(new URL(path, import.meta.url), { throwIfNoEntry: false })?.mtimeMs ?? 0;
const bundled = mtime('../dist/cli/bundle.mjs') >= mtime('../tsconfig.tsbuildinfo');
const entry = bundled ? '../dist/cli/bundle.mjs' : '../dist/cli/main.js';
const { runCli } = await import(entry);

const code = await runCli(process.argv.slice(2), {
  env: process.env,
  stdout: process.stdout,
  stderr: process.stderr,
});
// stdout/stderr writes are synchronous for files, pipes and terminals on Linux, so nothing is lost.
process.exit(code);
