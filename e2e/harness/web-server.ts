import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from '../../scripts/free-port.mjs';
import { WEB_NODE_ARGS } from '../../scripts/web-node-args.mjs';

const repoRoot = resolve(import.meta.dirname, '../..');

export interface WebServer {
  baseURL: string;
  dataDir: string;
  /** The one-time code for creating the first admin, as the server wrote it at start. */
  setupCode: string;
  stop(): Promise<void>;
}

/**
 * Starts the built dashboard (apps/web/dist/server.js) on a free loopback port with its own SQLite
 * file. `buildRoot`: another copy of the built dashboard (a directory holding apps/web/dist and
 * apps/web/.next), for benchmarks that compare two builds; the database schema is this checkout's.
 * `nodeArgs`: flags for the server's node only (e.g. `--cpu-prof`, which NODE_OPTIONS refuses).
 */
export async function startWebServer(
  options: { localAgentSocket?: string; buildRoot?: string; nodeArgs?: string[] } = {},
): Promise<WebServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'stevedore-web-'));
  const port = await freePort();
  const env = {
    ...process.env,
    NODE_ENV: 'production' as const,
    HOSTNAME: '127.0.0.1',
    PORT: String(port),
    STEVEDORE_DATA_DIR: dataDir,
    DATABASE_URL: `file:${join(dataDir, 'stevedore.db')}`,
    LOG_LEVEL: 'warn',
    ...(options.localAgentSocket ? { STEVEDORE_LOCAL_AGENT_SOCKET: options.localAgentSocket } : {}),
  };
  const migrated = spawnSync('node', ['scripts/db.mjs', 'deploy'], { cwd: repoRoot, env, encoding: 'utf8' });
  if (migrated.status !== 0) {
    rmSync(dataDir, { recursive: true, force: true });
    throw new Error(`database migration failed: ${migrated.stderr}`);
  }
  const child: ChildProcess = spawn(
    'node',
    [...WEB_NODE_ARGS, ...(options.nodeArgs ?? []), 'apps/web/dist/server.js'],
    {
      cwd: options.buildRoot ?? repoRoot,
      env,
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
  const baseURL = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
    rmSync(dataDir, { recursive: true, force: true });
  };
  let setupCode: string;
  try {
    await waitUntilHealthy(baseURL, child);
    // Written before the server listens, readable by root only, as `npm start` reads it.
    setupCode = readFileSync(join(dataDir, 'setup-code'), 'utf8').trim();
  } catch (error) {
    await stop();
    throw error;
  }
  return { baseURL, dataDir, setupCode, stop };
}

async function waitUntilHealthy(baseURL: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`web server exited with code ${child.exitCode}`);
    const response = await fetch(`${baseURL}/api/health`).catch(() => null);
    if (response?.ok) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('web server did not become healthy within 60 s');
}
