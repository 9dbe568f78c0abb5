#!/usr/bin/env node
import { statSync } from 'node:fs';

// The bundled CLI starts about twice as fast; it is used unless `tsc -b` has built since (its
// build-info file changes whenever any output does).
const mtime = (path) => statSync(new URL(path, import.meta.url), { throwIfNoEntry: false })?.mtimeMs ?? 0;
const bundled = mtime('../dist/cli/bundle.mjs') >= mtime('../tsconfig.tsbuildinfo');
const entry = bundled ? '../dist/cli/bundle.mjs' : '../dist/cli/main.js';
const { exitQuietlyWhenOutputCloses, flushOutput, runCli } = await import(entry);
exitQuietlyWhenOutputCloses();

const code = await runCli(process.argv.slice(2), {
  env: process.env,
  stdout: process.stdout,
  stderr: process.stderr,
});
// A pipe whose reader is slower than the CLI holds writes in the stream: they go out before the exit.
await flushOutput();
process.exit(code);
