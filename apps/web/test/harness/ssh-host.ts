/**
 * A remote host for tests: Debian's real sshd inside a network namespace of its own, joined to the
 * host by a veth pair, reachable only at the namespace's address. Everything is removed by stop().
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface SshHost {
  /** The namespace's address, as a remote machine's would be. */
  address: string;
  port: number;
  user: string;
  privateKey: string;
  /** `SHA256:…` of the sshd host key, as `ssh-keygen -lf` prints it. */
  hostKeyFingerprint: string;
  /** Gives sshd a new host key (as a reinstalled machine would have) and restarts it; the new fingerprint. */
  rotateHostKey(): Promise<string>;
  stop(): Promise<void>;
}

const run = (cmd: string, args: string[]) => execFileSync(cmd, args, { encoding: 'utf8', stdio: 'pipe' });

/**
 * A /24 in 10.251.X.0 that no interface or route on the machine uses (a namespace another run left
 * behind keeps its route, and a second one on the same subnet would never answer); random among
 * the free ones, as test files start hosts in parallel.
 */
function freeOctet(): number {
  const inUse = `${run('ip', ['-4', '-o', 'addr', 'show'])}\n${run('ip', ['-4', 'route', 'show'])}`;
  const used = new Set([...inUse.matchAll(/\b10\.251\.(\d+)\./g)].map((match) => Number(match[1])));
  const free = Array.from({ length: 250 }, (_, i) => i + 1).filter((octet) => !used.has(octet));
  const octet = free[Math.floor(Math.random() * free.length)];
  if (octet === undefined)
    throw new Error('no free 10.251.X.0/24 for a test sshd: remove leftover sd-ssh-* namespaces');
  return octet;
}

export async function startSshHost(): Promise<SshHost> {
  const id = Math.random().toString(36).slice(2, 8);
  const netns = `sd-ssh-${id}`;
  const hostSide = `sdh${id}`;
  const nsSide = `sdn${id}`;
  const octet = freeOctet();
  const hostIp = `10.251.${octet}.1`;
  const nsIp = `10.251.${octet}.2`;
  const dir = mkdtempSync(join(tmpdir(), 'stevedore-sshd-'));
  const createdPrivsepDir = !existsSync('/run/sshd');
  let sshd: ChildProcess | null = null;

  const stopSshd = async () => {
    if (sshd && sshd.exitCode === null && sshd.signalCode === null) {
      const exited = new Promise((r) => sshd?.once('exit', r));
      sshd.kill('SIGTERM');
      await exited;
    }
  };
  const startSshd = async () => {
    const daemon = spawn(
      'ip',
      ['netns', 'exec', netns, '/usr/sbin/sshd', '-D', '-e', '-f', join(dir, 'sshd_config')],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    sshd = daemon;
    let log = '';
    daemon.stderr?.on('data', (chunk: Buffer) => {
      log += chunk.toString();
    });
    const deadline = Date.now() + 10_000;
    while (!(await answers(nsIp, 22))) {
      if (daemon.exitCode !== null || Date.now() > deadline) throw new Error(`sshd did not start: ${log}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const makeHostKey = () => {
    rmSync(join(dir, 'host_key'), { force: true });
    rmSync(join(dir, 'host_key.pub'), { force: true });
    run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'host_key')]);
    return run('ssh-keygen', ['-lf', join(dir, 'host_key.pub')]).split(' ')[1]!;
  };

  // sshd's per-connection children outlive the listener: end every process in the namespace.
  const killSessions = () => {
    try {
      for (const pid of run('ip', ['netns', 'pids', netns]).split('\n').filter(Boolean)) {
        try {
          process.kill(Number(pid), 'SIGKILL');
        } catch {}
      }
    } catch {}
  };

  const stop = async () => {
    await stopSshd();
    killSessions();
    // Deleting the namespace removes the veth pair with it.
    try {
      run('ip', ['netns', 'delete', netns]);
    } catch {}
    try {
      run('ip', ['link', 'delete', hostSide]);
    } catch {}
    rmSync(dir, { recursive: true, force: true });
    if (createdPrivsepDir) rmSync('/run/sshd', { recursive: true, force: true });
  };

  try {
    run('ip', ['netns', 'add', netns]);
    run('ip', ['link', 'add', hostSide, 'type', 'veth', 'peer', 'name', nsSide]);
    run('ip', ['link', 'set', nsSide, 'netns', netns]);
    run('ip', ['addr', 'add', `${hostIp}/30`, 'dev', hostSide]);
    run('ip', ['link', 'set', hostSide, 'up']);
    run('ip', ['-n', netns, 'addr', 'add', `${nsIp}/30`, 'dev', nsSide]);
    run('ip', ['-n', netns, 'link', 'set', nsSide, 'up']);
    run('ip', ['-n', netns, 'link', 'set', 'lo', 'up']);

    // sshd refuses to start without its privilege-separation directory.
    mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
    const fingerprint = makeHostKey();
    run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'client_key')]);
    writeFileSync(join(dir, 'authorized_keys'), readFileSync(join(dir, 'client_key.pub')), { mode: 0o600 });
    writeFileSync(
      join(dir, 'sshd_config'),
      [
        `ListenAddress ${nsIp}`,
        'Port 22',
        `HostKey ${join(dir, 'host_key')}`,
        `PidFile ${join(dir, 'sshd.pid')}`,
        `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
        'PermitRootLogin prohibit-password',
        'PasswordAuthentication no',
        'KbdInteractiveAuthentication no',
        'UsePAM no',
        'StrictModes no',
        'AllowStreamLocalForwarding yes',
        'X11Forwarding no',
        '',
      ].join('\n'),
    );
    await startSshd();
    return {
      address: nsIp,
      port: 22,
      user: 'root',
      privateKey: readFileSync(join(dir, 'client_key'), 'utf8'),
      hostKeyFingerprint: fingerprint,
      async rotateHostKey() {
        await stopSshd();
        killSessions(); // open connections end, as when the machine is reinstalled
        const rotated = makeHostKey();
        await startSshd();
        return rotated;
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

function answers(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
