#!/usr/bin/env node
// Refreshes the README's screenshots (docs/screenshots/) from the e2e suite's own:
//   npm run screenshots            runs the e2e suite (needs `npm run build` first), then copies
//   npm run screenshots -- --no-run  copies what the last e2e run left in test-results/screens/
//   npm run screenshots -- --no-run e2e/ui-fixes.spec.ts   (file arguments: run only those specs)
// Every spec saves its screens with e2e/screens.ts's saveScreens(page, NAME) as
// NAME-{light,dark,narrow}.png; the screens listed below are copied, missing ones reported.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './lib.mjs';

/** The screens the README and docs show, in the order they are listed. */
export const SCREENS = [
  'login',
  'nav-menu',
  'hosts',
  'host',
  'containers',
  'container-overview',
  'container-charts',
  'container-logs',
  'container-console',
  'container-form',
  'container-limits',
  'container-limits-recommendation',
  'presets-preview',
  'presets-report',
  'presets-drift',
  'alerts-page',
  'alerts-panel',
  'images',
  'images-fleet',
  'images-pull',
  'images-save',
  'images-load',
  'images-logins',
  'host-registries',
  'registries-fleet-rollout',
  'disk',
  'disk-migration-progress',
  'host-networks',
  'host-network-inspect',
  'host-volumes',
  'events',
  'audit',
  'users',
];
const VARIANTS = ['light', 'dark', 'narrow'];

const source = join(repoRoot, 'test-results/screens');
const target = join(repoRoot, 'docs/screenshots');
const args = process.argv.slice(2);
const run = !args.includes('--no-run');
const specs = args.filter((arg) => !arg.startsWith('--'));

if (run) {
  const result = spawnSync('npx', ['playwright', 'test', '-c', 'e2e/playwright.config.ts', ...specs], {
    cwd: repoRoot,
    stdio: 'inherit',
  });
  // A failing test still leaves the screens it reached; say so and copy what is there.
  if (result.status !== 0) console.warn(`e2e exited with ${result.status}: copying the screens it saved`);
}

mkdirSync(target, { recursive: true });
let copied = 0;
const missing = [];
for (const screen of SCREENS) {
  for (const variant of VARIANTS) {
    const file = `${screen}-${variant}.png`;
    const from = join(source, file);
    if (!existsSync(from)) {
      missing.push(file);
      continue;
    }
    copyFileSync(from, join(target, file));
    copied++;
    console.log(`${file}  ${Math.round(statSync(from).size / 1024)} KiB`);
  }
}
if (missing.length > 0) console.warn(`warning: not saved by the e2e run, skipped: ${missing.join(', ')}`);
console.log(`${copied} screenshots in docs/screenshots/`);
