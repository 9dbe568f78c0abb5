/**
 * Starts the real, built agent (`apps/agent/bin/stevedore-agent.js`) on private temp roots and a
 * private socket, for integration and end-to-end tests. Framework-neutral (node:test, Playwright):
 * callers register `stop()` in their own teardown (`after`, `t.after`, `test.afterAll`); a process
 * exit hook kills and cleans up whatever a crashed test left behind.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join, resolve } from 'node:path';
import { removeAgentLeftovers, removeTestTree } from './leftovers.js';
import { type ExitResult, runNodeToExit } from './run-to-exit.js';

export const repoRoot = resolve(import.meta.dirname, '../../../..');
export const agentBin = join(repoRoot, 'apps/agent/bin/stevedore-agent.js');
/** The `stevedore` command as installed: starts from the CLI's startup snapshot when it is current. */
export const cliBin = join(repoRoot, 'apps/agent/bin/stevedore');
const builtEntry = join(repoRoot, 'apps/agent/dist/main.js');

export interface StartAgentOptions {
  /** Also listen on tcp://127.0.0.1:<free port> and create a token for it. */
  tcp?: boolean;
  /** TCP with a fresh self-signed certificate for 127.0.0.1 (implies tcp). */
  tls?: boolean;
  /** daemon.json contents, written to a temp file and passed as --config-file. */
  config?: Record<string, unknown>;
  extraArgs?: string[];
  /**
   * The default bridge and its address (`--bridge`, `--bip`). Unless given (here, in extraArgs or
   * in config), every agent gets a test-unique bridge name and a random 10.x.y.1/24.
   */
  bridge?: string;
  bip?: string;
  /** data-root in the config file instead of a flag (so the agent may change it: migrate-root). */
  dataRootInConfig?: boolean;
  /**
   * A data-root the test made (e.g. on a small filesystem of its own) instead of one under the
   * harness's temp directory; the test removes it (and what is mounted below it) itself.
   */
  dataRoot?: string;
  /** Extra environment for the agent (and its --cleanup), e.g. STEVEDORE_IPTABLES. */
  env?: Record<string, string>;
  /** Milliseconds to wait for the agent to listen (default 20 s). */
  startTimeoutMs?: number;
}

export interface AgentProcess {
  socketPath: string;
  /** `unix:///…/agent.sock`, for `-H` and createAgentClient. */
  host: string;
  /** `http://127.0.0.1:PORT`, or `https://…` with tls; changes on restart. */
  tcpUrl?: string;
  /** The same TCP address as `tcp://127.0.0.1:PORT`, for the CLI's -H. */
  tcpHost?: string;
  dataRoot: string;
  execRoot: string;
  /** Bearer token for the TCP listener (created over the unix socket at start). */
  token?: string;
  /** PEM of the self-signed certificate, to pin as CA. */
  caCert?: string;
  /** Path of the PEM certificate file (for the CLI's --tlscacert). */
  caCertFile?: string;
  readonly pid: number | undefined;
  /** Everything the agent wrote to stderr so far (its JSON log lines). */
  logs(): string;
  /** Sends a signal and waits for the exit; roots are kept. Resolves the exit code (null if killed). */
  kill(signal?: NodeJS.Signals): Promise<number | null>;
  /** SIGKILL and wait: simulates a crash; roots, socket file and state stay for restart(). */
  kill9(): Promise<number | null>;
  /** Starts the agent again on the same roots and arguments (with `env` instead of the first one's). */
  restart(options?: { env?: Record<string, string> }): Promise<void>;
  /** SIGTERM (SIGKILL after 10 s), then removes every directory the harness made. Idempotent. */
  stop(): Promise<void>;
}

interface LiveAgent {
  child: ChildProcess | null;
  base: string;
  cleanup: () => void;
}

const live = new Set<LiveAgent>();
process.once('exit', () => {
  for (const entry of live) {
    entry.child?.kill('SIGKILL');
    entry.cleanup();
    removeAgentLeftovers(entry.base, join(entry.base, 'exec'));
    removeTestTree(entry.base);
  }
});

/** A 10.x.y.1/24 that no route of this machine covers. */
function randomTestBip(): string {
  const routes = spawnSync('ip', ['-4', 'route'], { encoding: 'utf8' }).stdout ?? '';
  for (;;) {
    const x = 100 + Math.floor(Math.random() * 150);
    const y = Math.floor(Math.random() * 256);
    if (!routes.includes(`10.${x}.${y}.`) && !routes.includes(`10.${x}.0.0/16`)) return `10.${x}.${y}.1/24`;
  }
}

export async function startAgent(options: StartAgentOptions = {}): Promise<AgentProcess> {
  if (!existsSync(builtEntry)) throw new Error('the agent is not built: run `npx tsc -b apps/agent` first');
  const base = mkdtempSync('/tmp/stevedore-agent-');
  // Search-only for others, as /var/lib is: a user-namespaced container's root must reach its rootfs.
  chmodSync(base, 0o711);
  const entry: LiveAgent = { child: null, base, cleanup: () => {} };
  live.add(entry);
  const dataRoot = options.dataRoot ?? join(base, 'data');
  const execRoot = join(base, 'exec');
  const socketPath = join(execRoot, 'agent.sock');
  const tcp = options.tcp || options.tls;
  const args = [
    ...(options.dataRootInConfig ? [] : ['--data-root', dataRoot]),
    '--exec-root',
    execRoot,
    '-H',
    `unix://${socketPath}`,
  ];
  if (tcp) args.push('-H', 'tcp://127.0.0.1:0');
  let caCert: string | undefined;
  let caCertFile: string | undefined;
  if (options.tls) {
    caCertFile = join(base, 'cert.pem');
    const keyFile = join(base, 'key.pem');
    generateSelfSignedCert(caCertFile, keyFile);
    caCert = readFileSync(caCertFile, 'utf8');
    args.push('--tlscert', caCertFile, '--tlskey', keyFile);
  }
  args.push(...(options.extraArgs ?? []));
  // With a config file they go there, so tests may still change them over the API.
  const network: Record<string, string> = {};
  if (!args.includes('--bridge') && !(options.config && 'bridge' in options.config)) {
    network.bridge = options.bridge ?? `sdt${randomBytes(4).toString('hex')}`;
  }
  if (!args.includes('--bip') && !(options.config && 'bip' in options.config)) {
    network.bip = options.bip ?? randomTestBip();
  }
  const config = options.dataRootInConfig ? { ...options.config, 'data-root': dataRoot } : options.config;
  // Always a config file of its own: without one the agent would read and write the machine's
  // /etc/stevedore (daemon.json, certs.d), and a test changing settings over the API would leave
  // them there for every later agent.
  const configFile = join(base, 'daemon.json');
  if (config) {
    writeFileSync(configFile, JSON.stringify({ ...config, ...network }));
  } else {
    writeFileSync(configFile, '{}');
    for (const [key, value] of Object.entries(network)) args.push(`--${key}`, value);
  }
  args.push('--config-file', configFile);
  let env = options.env;
  /** Removes the agent's chains, bridges and namespaces (`--cleanup`, with the same roots). */
  const cleanupNetworking = () => {
    spawnSync(process.execPath, [agentBin, ...args, '--cleanup'], {
      env: { ...process.env, ...env },
      cwd: repoRoot,
      stdio: 'ignore',
      timeout: 30_000,
    });
  };
  entry.cleanup = cleanupNetworking;

  let logText = '';
  let exited: Promise<number | null> = Promise.resolve(null);
  const agent: AgentProcess = {
    socketPath,
    host: `unix://${socketPath}`,
    dataRoot,
    execRoot,
    ...(caCert ? { caCert, caCertFile } : {}),
    get pid() {
      return entry.child?.pid;
    },
    logs: () => logText,
    kill: async (signal = 'SIGTERM') => {
      const child = entry.child;
      if (!child || child.exitCode !== null || child.signalCode !== null) return child?.exitCode ?? null;
      child.kill(signal);
      return exited;
    },
    kill9: () => agent.kill('SIGKILL'),
    restart: async (restartOptions) => {
      await agent.kill();
      if (restartOptions?.env) env = restartOptions.env;
      await launch();
    },
    stop: async () => {
      if (!live.has(entry)) return;
      const force = setTimeout(() => entry.child?.kill('SIGKILL'), 10_000);
      await agent.kill();
      clearTimeout(force);
      live.delete(entry);
      cleanupNetworking();
      removeAgentLeftovers(base, execRoot);
      removeTestTree(base);
    },
  };

  const launch = async () => {
    const child = spawn(process.execPath, [agentBin, ...args], {
      cwd: repoRoot,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    entry.child = child;
    exited = new Promise((resolveExit) => child.once('exit', (code) => resolveExit(code)));
    const addresses = await waitForListening(
      child,
      (chunk) => {
        logText += chunk;
      },
      options.startTimeoutMs ?? 20_000,
      () => logText,
    );
    await waitForSocket(socketPath);
    const tcpAddress = addresses.find((a) => a.startsWith('tcp://'));
    if (tcpAddress) {
      agent.tcpHost = tcpAddress;
      agent.tcpUrl = tcpAddress.replace(/^tcp:/, options.tls ? 'https:' : 'http:');
    }
  };

  try {
    await launch();
    if (tcp) agent.token = await createToken(agent.host);
  } catch (error) {
    await agent.stop();
    throw error;
  }
  return agent;
}

/** Runs the agent expecting it to exit by itself (e.g. on a bad configuration). */
export function runAgentToExit(args: readonly string[], timeoutMs = 20_000): Promise<ExitResult> {
  return runNodeToExit(agentBin, args, { cwd: repoRoot, timeoutMs, what: 'the agent' });
}

function waitForListening(
  child: ChildProcess,
  onLog: (chunk: string) => void,
  timeoutMs: number,
  logs: () => string,
): Promise<string[]> {
  return new Promise((resolveWait, reject) => {
    let pending = '';
    const timer = setTimeout(
      () => fail(new Error(`the agent did not listen within ${timeoutMs} ms`)),
      timeoutMs,
    );
    const fail = (error: Error) => {
      clearTimeout(timer);
      child.off('exit', onExit);
      reject(new Error(`${error.message}; its stderr:\n${logs()}`));
    };
    const onExit = (code: number | null) =>
      fail(new Error(`the agent exited with code ${code} while starting`));
    child.once('exit', onExit);
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      onLog(chunk);
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        const record = safeJson(line) as { msg?: string; addresses?: string[] } | null;
        if (record?.msg?.startsWith('API listening') && record.addresses) {
          clearTimeout(timer);
          child.off('exit', onExit);
          resolveWait(record.addresses);
        }
      }
    });
  });
}

async function waitForSocket(path: string): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (Date.now() < deadline) {
    const answered = await new Promise<boolean>((resolveProbe) => {
      const socket = connect({ path });
      socket.once('connect', () => {
        socket.destroy();
        resolveProbe(true);
      });
      socket.once('error', () => resolveProbe(false));
    });
    if (answered) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`nothing answers on ${path}`);
}

async function createToken(host: string): Promise<string> {
  const { createAgentClient } = await import('@stevedore/agent-api');
  const connection = createAgentClient({ host });
  try {
    return (await connection.client.tokens.create.mutate({ name: 'test-harness' })).token;
  } finally {
    await connection.close();
  }
}

function generateSelfSignedCert(certFile: string, keyFile: string): void {
  const result = spawnSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      keyFile,
      '-out',
      certFile,
      '-days',
      '2',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
    ],
    { encoding: 'utf8' },
  );
  if (result.status !== 0) throw new Error(`openssl could not make a test certificate: ${result.stderr}`);
}

function safeJson(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    return null;
  }
}
