#!/usr/bin/env node
import { runCli } from '../dist/cli/main.js';

const code = await runCli(process.argv.slice(2), {
  env: process.env,
  stdout: process.stdout,
  stderr: process.stderr,
});
// stdout/stderr writes are synchronous for files, pipes and terminals on Linux, so nothing is lost.
process.exit(code);
