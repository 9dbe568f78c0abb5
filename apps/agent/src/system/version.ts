import { readFileSync } from 'node:fs';
import { execFile } from '../util/exec.js';

const packageJsonUrl = new URL('../../package.json', import.meta.url);

/** Set by the installable bundle (scripts/bundle-agent.mjs), which has no package.json two levels up. */
declare const STEVEDORE_BUNDLED_VERSION: string | undefined;
/** Set by the CLI's bundles (scripts/bundle-cli.mjs): the commit they were built from. */
declare const STEVEDORE_BUILD_COMMIT: string | undefined;

/** The agent's own version: apps/agent/package.json (same relative path from src/ and dist/). */
export const AGENT_VERSION: string =
  typeof STEVEDORE_BUNDLED_VERSION === 'string'
    ? STEVEDORE_BUNDLED_VERSION
    : (JSON.parse(readFileSync(packageJsonUrl, 'utf8')) as { version: string }).version;

/** Version of the tRPC API contract; bumped on incompatible router changes. */
export const API_VERSION = '1';

let commit: Promise<string> | undefined;

/** The source commit: the one a bundle was built from, else the git checkout's; "unknown" otherwise. */
export function gitCommit(): Promise<string> {
  if (typeof STEVEDORE_BUILD_COMMIT === 'string') return Promise.resolve(STEVEDORE_BUILD_COMMIT);
  commit ??= execFile(
    'git',
    ['-C', new URL('.', packageJsonUrl).pathname, 'rev-parse', '--short=7', 'HEAD'],
    {
      timeoutMs: 5_000,
    },
  ).then((result) => (result.code === 0 ? result.stdout.trim() : 'unknown'));
  return commit;
}
