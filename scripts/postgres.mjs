// A throwaway PostgreSQL cluster on 127.0.0.1 (Debian's postgresql package), for tests and for
// generating PostgreSQL migrations. Everything lives in one temp dir that stop() removes.
import { spawnSync } from 'node:child_process';
import { chownSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.mjs';

function pgBinDir() {
  const base = '/usr/lib/postgresql';
  const versions = (() => {
    try {
      return readdirSync(base)
        .filter((v) => /^\d+$/.test(v))
        .sort((a, b) => Number(b) - Number(a));
    } catch {
      return [];
    }
  })();
  if (versions.length === 0) throw new Error('PostgreSQL is not installed (apt-get install postgresql)');
  return join(base, versions[0], 'bin');
}

function asPostgres(cmd, args) {
  // initdb refuses to run as root; the cluster belongs to Debian's `postgres` user.
  const result = spawnSync('runuser', ['-u', 'postgres', '--', cmd, ...args], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${cmd} failed: ${result.stderr || result.stdout}`);
  return result;
}

/** @returns {Promise<{ url: string, port: number, stop(): Promise<void> }>} */
export async function startPostgres({ database = 'stevedore' } = {}) {
  const bin = pgBinDir();
  const dir = mkdtempSync(join(tmpdir(), 'stevedore-pg-'));
  const dataDir = join(dir, 'data');
  const uid = Number(spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).stdout.trim());
  const gid = Number(spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).stdout.trim());
  chownSync(dir, uid, gid);
  let started = false;
  const stop = async () => {
    if (started)
      spawnSync('runuser', [
        '-u',
        'postgres',
        '--',
        join(bin, 'pg_ctl'),
        '-D',
        dataDir,
        '-m',
        'immediate',
        '-w',
        'stop',
      ]);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    asPostgres(join(bin, 'initdb'), [
      '-D',
      dataDir,
      '-U',
      'postgres',
      '--auth=trust',
      '-E',
      'UTF8',
      '--no-sync',
    ]);
    const port = await freePort();
    const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`;
    asPostgres(join(bin, 'pg_ctl'), [
      '-D',
      dataDir,
      '-l',
      join(dir, 'server.log'),
      '-o',
      options,
      '-w',
      'start',
    ]);
    started = true;
    asPostgres(join(bin, 'createdb'), ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', database]);
    return { url: `postgresql://postgres@127.0.0.1:${port}/${database}`, port, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
