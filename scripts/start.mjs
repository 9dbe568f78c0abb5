#!/usr/bin/env node
// `npm start`: set up what is missing, then run one agent (default settings) and the dashboard on
// 127.0.0.1:3000 with the local agent registered as host `local`. Ctrl-C stops both.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { repoRoot, run } from './lib.mjs';
import { WEB_NODE_ARGS } from './web-node-args.mjs';

const SOCKET = '/run/stevedore/agent.sock';
const WEB_HOST = '127.0.0.1';
const WEB_PORT = 3000;
const logDir = `${repoRoot}/.stevedore/logs`;
const dataDir = process.env.STEVEDORE_DATA_DIR ?? `${repoRoot}/apps/web/data`;
const setupCodeFile = `${dataDir}/setup-code`;

run('node', ['scripts/setup.mjs']);
mkdirSync(logDir, { recursive: true });

const children = [];
if (await answers({ path: SOCKET })) {
  console.error(`An agent is already listening on ${SOCKET}; using it.`);
} else {
  children.push(startChild('agent', 'node', ['apps/agent/bin/stevedore-agent.js'], {}));
  await waitFor(() => answers({ path: SOCKET }), 'the agent socket', 30_000);
}

if (await answers({ host: WEB_HOST, port: WEB_PORT })) {
  console.error(`Something already listens on ${WEB_HOST}:${WEB_PORT}; is Stevedore already running?`);
  stopAll(1);
}
children.push(
  startChild('web', 'node', [...WEB_NODE_ARGS, 'apps/web/dist/server.js'], {
    NODE_ENV: 'production',
    HOSTNAME: WEB_HOST,
    PORT: String(WEB_PORT),
    STEVEDORE_LOCAL_AGENT_SOCKET: SOCKET,
  }),
);
await waitFor(
  async () => (await fetch(`http://${WEB_HOST}:${WEB_PORT}/api/health`).catch(() => null))?.ok,
  'the dashboard',
  60_000,
);

const status = await fetch(`http://${WEB_HOST}:${WEB_PORT}/api/trpc/auth.status`).then((r) => r.json());
const needsSetup = status?.result?.data?.needsSetup !== false;
// The dashboard writes a one-time set-up code (mode 0600, root only) while no admin exists; creating
// the first admin needs it, so that whoever reaches the page first cannot claim the dashboard.
const setupCode = needsSetup && existsSync(setupCodeFile) ? readFileSync(setupCodeFile, 'utf8').trim() : null;
const logIn = !needsSetup
  ? 'with the admin account created on the first visit'
  : setupCode
    ? `first visit — create the admin account (username, password of 10+ characters)
              with the one-time set-up code:  ${setupCode}
              (also in ${setupCodeFile}, readable by root only; used up once the admin exists)`
    : `first visit — create the admin account; the set-up code is in ${setupCodeFile}`;
console.log(`
  Stevedore is running.

  Dashboard:  http://${WEB_HOST}:${WEB_PORT}
  Log in:     ${logIn}
  Agent:      unix://${SOCKET}   (CLI: npx stevedore info)
  Logs:       ${logDir}/

  Press Ctrl-C to stop.
`);

process.on('SIGINT', () => stopAll(0));
process.on('SIGTERM', () => stopAll(0));

function startChild(name, cmd, args, env) {
  const log = openSync(`${logDir}/${name}.log`, 'a');
  const child = spawn(cmd, args, {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', log, log],
  });
  child.on('exit', (code, signal) => {
    if (stopping) return;
    console.error(`${name} exited (${signal ?? `code ${code}`}); see ${logDir}/${name}.log`);
    stopAll(1);
  });
  return child;
}

let stopping = false;
function stopAll(code) {
  stopping = true;
  for (const child of children) child.kill('SIGTERM');
  setTimeout(() => process.exit(code), 500).unref();
  if (children.length === 0) process.exit(code);
}

function answers(target) {
  return new Promise((resolve) => {
    const socket = connect(target);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function waitFor(check, what, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  console.error(`Timed out waiting for ${what}; see ${logDir}/`);
  stopAll(1);
}
