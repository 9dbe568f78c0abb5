#!/usr/bin/env node
// Structure check, part of `npm run lint`: no import cycle in the engine, the web app or the
// packages (type-only imports count: a cycle of types still ties two modules together), and the
// agent's folders keep their floor order (a folder imports only from lower floors; see
// AGENT_LAYERS and docs/ARCHITECTURE.md).
// The rules themselves are in structure-rules.mjs; madge reads the import graphs.
import { existsSync, readdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import madge from 'madge';
import { findLayerViolations, formatProblems } from './structure-rules.mjs';

const repoRoot = resolve(import.meta.dirname, '..');

/** The source roots checked: where, how madge resolves their imports, and whether the floor order applies. */
const roots = [
  { dir: 'apps/agent/src', extensions: ['ts'], tsConfig: 'apps/agent/tsconfig.json', layers: true },
  {
    dir: 'apps/web/src',
    extensions: ['ts', 'tsx'],
    // Given whole: madge does not follow `extends`, and `~/` needs the base URL spelled out.
    tsConfig: {
      compilerOptions: {
        baseUrl: join(repoRoot, 'apps/web'),
        paths: { '~/*': ['./src/*'] },
        module: 'ESNext',
        moduleResolution: 'Bundler',
        jsx: 'react-jsx',
      },
    },
    // Paths relative to the root.
    exclude: [/^generated\//],
  },
  ...readdirSync(join(repoRoot, 'packages'))
    .filter((name) => existsSync(join(repoRoot, 'packages', name, 'src')))
    .map((name) => ({
      dir: `packages/${name}/src`,
      extensions: ['ts', 'tsx'],
      tsConfig: `packages/${name}/tsconfig.json`,
    })),
];

async function check(root) {
  const absolute = join(repoRoot, root.dir);
  const included = (path) =>
    root.extensions.some((ext) => path.endsWith(`.${ext}`)) &&
    !path.endsWith('.d.ts') &&
    !path.includes('node_modules/') &&
    !(root.exclude ?? []).some((re) => re.test(path));
  // The files are listed here, so that excluded ones are not even parsed.
  const files = readdirSync(absolute, { recursive: true })
    .filter(included)
    .map((path) => join(absolute, path));
  const graph = await madge(files, {
    baseDir: absolute,
    fileExtensions: root.extensions,
    tsConfig: typeof root.tsConfig === 'string' ? join(repoRoot, root.tsConfig) : root.tsConfig,
    // Only the root's own sources are read: not declaration files, packages, or other roots
    // reached through them (nor what a root excludes, e.g. the web's generated Prisma client).
    dependencyFilter: (path) => path.startsWith(`${absolute}/`) && included(relative(absolute, path)),
  });
  const cycles = graph.circular();
  const violations = root.layers ? findLayerViolations(graph.obj()) : [];
  return { root: root.dir, files: Object.keys(graph.obj()).length, cycles, violations };
}

const results = [];
for (const root of roots) results.push(await check(root));
const problems = results.flatMap(formatProblems);
if (problems.length > 0) {
  console.error(`structure check failed:\n${problems.join('\n')}`);
  process.exit(1);
}
console.error(
  `structure check: no import cycles, floor order kept (${results.map((r) => `${r.root} ${r.files} files`).join(', ')})`,
);
