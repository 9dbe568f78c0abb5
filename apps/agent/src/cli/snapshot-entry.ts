// Entry of the CLI's V8 startup snapshot (scripts/bundle-cli.mjs): the bundle is evaluated once
// at build time, and every `stevedore` command starts from the resulting heap (bin/stevedore).
import { startupSnapshot } from 'node:v8';
import { exitQuietlyWhenOutputCloses, flushOutput, runCli } from './main.js';

startupSnapshot.setDeserializeMainFunction(async () => {
  exitQuietlyWhenOutputCloses();
  // `node --snapshot-blob BLOB -- ARGS`: process.argv is [node, ...ARGS].
  const code = await runCli(process.argv.slice(1), {
    env: process.env,
    stdout: process.stdout,
    stderr: process.stderr,
  });
  await flushOutput();
  process.exit(code);
});
