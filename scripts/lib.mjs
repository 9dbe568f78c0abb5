// Small helpers shared by the set-up, start and CI scripts (plain ESM: they run before anything is built).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

export const repoRoot = new URL('..', import.meta.url).pathname.replace(/\/$/, '');

/** System packages Stevedore's agent needs on the host. */
export const AGENT_SYSTEM_PACKAGES = [
  'runc',
  'conmon',
  'iptables',
  'iproute2',
  'busybox-static',
  'openssl',
  'ca-certificates',
  'attr',
  // --init runs tini-static as the container's pid 1.
  'tini',
  // system migrate-root copies and verifies the data-root with rsync.
  'rsync',
  // node-pty (exec -t) and better-sqlite3 compile at npm install.
  'build-essential',
  'python3',
];
/** What the tests drive for real besides the agent's own needs. */
export const TEST_SYSTEM_PACKAGES = [
  // mkfs.ext4 for the cross-filesystem migration test.
  'e2fsprogs',
  'docker-registry',
  'postgresql',
  'chromium',
  'fonts-liberation',
  'openssh-server',
];

export function run(cmd, args, options = {}) {
  const result = spawnSync(cmd, args, { stdio: 'inherit', cwd: repoRoot, ...options });
  if (result.status !== 0) {
    const why = result.error ? result.error.message : `exit code ${result.status ?? result.signal}`;
    throw new Error(`${cmd} ${args.join(' ')} failed: ${why}`);
  }
  return result;
}

export function missingDebianPackages(packages) {
  return packages.filter((name) => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's own format syntax
    const result = spawnSync('dpkg-query', ['-W', '-f=${Status}', name], { encoding: 'utf8' });
    return result.status !== 0 || !result.stdout.includes('install ok installed');
  });
}

/** Installs what is missing with apt (one `apt-get update` first); does nothing when all are there. */
export function ensureDebianPackages(packages) {
  const missing = missingDebianPackages(packages);
  if (missing.length === 0) return;
  console.error(`Installing system packages: ${missing.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  run('apt-get', ['update', '-qq'], { env });
  run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], { env });
}

export const sha256 = (data) => createHash('sha256').update(data).digest('hex');

/**
 * Installs npm dependencies when node_modules does not match package-lock.json (native modules
 * compile the first time). `npm install`, not `npm ci`: npm 11.19 writes lockfiles without other
 * platforms' optional packages and then `npm ci` refuses them as out of sync.
 */
export function ensureNpmDependencies() {
  const lockHash = () => sha256(readFileSync(`${repoRoot}/package-lock.json`));
  const stamp = `${repoRoot}/node_modules/.stevedore-install`;
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === lockHash()) return;
  console.error('Installing npm dependencies (native modules compile on first install)…');
  run('npm', ['install', '--no-audit', '--no-fund']);
  writeFileSync(stamp, lockHash());
}

/**
 * esbuild options for a Node 20 ESM bundle. Some dependencies are CommonJS and call require(),
 * which an ESM bundle lacks: the banner gives them one.
 */
export const NODE_BUNDLE_OPTIONS = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
  logLevel: 'warning',
};
