import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { type InstallProgress, type InstallStep, StevedoreError } from '@stevedore/shared';
import type { Client } from 'ssh2';
import { probeAgent } from '../hub/probe-agent';
import { connectSsh, type SshTarget } from '../hub/ssh-connect';
import {
  AGENT_RUNTIME_PACKAGES,
  aptInstallScript,
  type InstallLayout,
  missingPackagesScript,
  preflightScript,
  serviceScript,
  unpackScript,
} from './install-scripts';
import { assertRepresentable, parseEnvFileValue, systemdExecutable } from './quoting';
import { runRemote, shellQuote } from './remote-shell';

export interface InstallPlan {
  installDir: string;
  dataRoot?: string | undefined;
  execRoot?: string | undefined;
}

const DEFAULT_DATA_ROOT = '/var/lib/stevedore';
const DEFAULT_EXEC_ROOT = '/run/stevedore';
const UNAME_ARCH: Record<string, string> = { x86_64: 'x64', aarch64: 'arm64', armv7l: 'arm' };

/** Where the dashboard finds the packaged agent (scripts/bundle-agent.mjs) and the version in it. */
export function agentPackage(dir: string): { dir: string; version: string } {
  const manifest = join(dir, 'package.json');
  if (!existsSync(join(dir, 'agent.mjs')) || !existsSync(manifest)) {
    throw new StevedoreError(
      'FAILED_PRECONDITION',
      `no packaged agent at ${dir}: build it with \`npm run build -w @stevedore/agent\``,
    );
  }
  return { dir, version: (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version };
}

/**
 * Installs or upgrades the agent on a machine over SSH, step by step: checks the machine, installs
 * the system packages it lacks, ships the packaged agent with this server's own Node.js binary,
 * starts it under systemd (or detached where systemd does not run) and checks it answers on its
 * socket through an SSH tunnel, as the hub will reach it.
 */
export async function* installAgent(
  target: SshTarget,
  plan: InstallPlan,
  packageDir: string,
  signal?: AbortSignal,
): AsyncGenerator<InstallProgress> {
  const pkg = agentPackage(packageDir);
  // Refused before anything runs on the machine, rather than half-way through the installation.
  systemdExecutable('install directory', plan.installDir); // the unit starts a program under it
  if (plan.dataRoot !== undefined) assertRepresentable('data root', plan.dataRoot);
  if (plan.execRoot !== undefined) assertRepresentable('exec root', plan.execRoot);
  assertRepresentable('agent socket', target.socketPath);
  const where = `${target.username}@${target.host}`;
  const lines: InstallProgress[] = [];
  const log = (line: string) => lines.push({ kind: 'log', line });
  const step = (name: InstallStep, message: string): InstallProgress => ({
    kind: 'step',
    step: name,
    message,
  });
  const warnings: string[] = [];

  yield step('connect', `connecting to ${where}:${target.port}`);
  const client: Client = await connectSsh(target);
  try {
    // Long steps (apt, starting the service) stream their output through `drain`; others keep it.
    const run = async (
      command: string,
      what: string,
      options: { stdin?: Readable; streamed?: boolean } = {},
    ) => {
      const result = await runRemote(client, command, {
        ...(options.streamed ? { onLine: log } : {}),
        ...(options.stdin ? { stdin: options.stdin } : {}),
        ...(signal ? { signal } : {}),
      });
      if (signal?.aborted) throw new StevedoreError('UNAVAILABLE', 'installation cancelled');
      if (result.code !== 0) {
        const detail = (result.stderr.trim() || result.stdout.trim()).split('\n').slice(-3).join(' / ');
        throw new StevedoreError('INTERNAL', `${what} failed on ${where} (exit ${result.code}): ${detail}`);
      }
      return result.stdout;
    };

    yield step('preflight', 'checking the machine');
    const facts = Object.fromEntries(
      (await run(`sh -c ${shellQuote(preflightScript(plan.installDir))}`, 'checking the machine'))
        .split('\n')
        .map((line) => line.split(/=(.*)/s).slice(0, 2) as [string, string])
        .filter(([key]) => key),
    );
    const arch = UNAME_ARCH[facts.arch ?? ''] ?? facts.arch;
    if (arch !== process.arch) {
      throw new StevedoreError(
        'FAILED_PRECONDITION',
        `${where} is ${facts.arch}; this dashboard ships a ${process.arch} agent`,
      );
    }
    if (facts.uid !== '0' && facts.sudo !== 'yes') {
      throw new StevedoreError(
        'PERMISSION_DENIED',
        `${where} is not root and has no passwordless sudo; the agent needs root (runc, iptables, mounts)`,
      );
    }
    const layout: InstallLayout = { installDir: plan.installDir, sudo: facts.uid === '0' ? '' : 'sudo -n ' };
    const systemd = facts.systemd === 'yes';
    yield step(
      'preflight',
      `${facts.os ?? 'unknown OS'}, ${facts.arch}, ${systemd ? 'systemd' : 'no systemd'}${
        facts.installed ? `, agent ${facts.installed} installed` : ', no agent yet'
      }`,
    );

    yield step('packages', 'checking system packages');
    const missing = (await run(missingPackagesScript(AGENT_RUNTIME_PACKAGES), 'checking packages'))
      .split('\n')
      .filter(Boolean);
    if (missing.length > 0) {
      if (facts.apt !== 'yes') {
        throw new StevedoreError(
          'FAILED_PRECONDITION',
          `${where} lacks ${missing.join(', ')} and has no apt-get to install them`,
        );
      }
      yield step('packages', `installing ${missing.join(', ')}`);
      const installing = run(aptInstallScript(layout.sudo, missing), 'installing packages', {
        streamed: true,
      });
      yield* drain(lines, installing);
      await installing;
    }
    yield step('packages', `${AGENT_RUNTIME_PACKAGES.length} packages present`);

    const release = `${pkg.version}-${Date.now()}`;
    yield step('upload', `shipping agent ${pkg.version} and Node.js ${process.version}`);
    const archive = spawn(
      'tar',
      [
        // Fast compression: the archive is mostly the Node.js binary, sent once.
        '--use-compress-program=gzip -1',
        '-cf',
        '-',
        '-C',
        pkg.dir,
        '.',
        '-C',
        dirname(process.execPath),
        `--transform=s,^${basename(process.execPath)}$,node,`,
        basename(process.execPath),
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let tarError = '';
    archive.stderr.on('data', (chunk: Buffer) => {
      tarError += chunk.toString();
    });
    const archived = new Promise<number | null>((resolve) => archive.once('close', resolve));
    await run(unpackScript(layout, release), 'unpacking the agent', { stdin: archive.stdout });
    if ((await archived) !== 0) throw new StevedoreError('INTERNAL', `packing the agent failed: ${tarError}`);
    yield step('upload', `installed as ${plan.installDir}/releases/${release}`);

    // What an earlier install chose, when its agent.env holds a value written as we write them.
    const earlier = (key: string) => {
      const raw = facts[`env.${key}`];
      const value = raw === undefined ? null : parseEnvFileValue(raw);
      return value?.startsWith('/') ? value : undefined;
    };
    const settings = {
      dataRoot: plan.dataRoot ?? earlier('DATA_ROOT') ?? DEFAULT_DATA_ROOT,
      execRoot: plan.execRoot ?? earlier('EXEC_ROOT') ?? DEFAULT_EXEC_ROOT,
      socketPath: target.socketPath,
    };
    yield step('service', systemd ? 'starting the stevedore-agent systemd unit' : 'starting the agent');
    const started = run(serviceScript(layout, settings, systemd), 'starting the agent', { streamed: true });
    yield* drain(lines, started);
    await started;
    if (!systemd) {
      warnings.push(
        `systemd does not run on ${where}: the agent was started directly (log: ${plan.installDir}/agent.log) and will not start again after a reboot`,
      );
    }

    yield step('verify', `connecting to ${settings.socketPath} through SSH`);
    const info = await probeAgent({
      address: `ssh://${where}:${target.port}${target.socketPath}`,
      ssh: target,
    });
    yield step('verify', `agent ${info.ServerVersion} answers on ${info.Name}`);
    yield {
      kind: 'done',
      version: info.ServerVersion,
      hostKeyFingerprint: target.hostKeyFingerprint ?? '',
      warnings,
    };
  } finally {
    client.end();
  }
}

/** Yields the log lines a running command produces, until it settles. */
async function* drain(lines: InstallProgress[], running: Promise<unknown>): AsyncGenerator<InstallProgress> {
  let settled = false;
  running.then(
    () => {
      settled = true;
    },
    () => {
      settled = true;
    },
  );
  while (!settled || lines.length > 0) {
    const line = lines.shift();
    if (line) yield line;
    else await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
