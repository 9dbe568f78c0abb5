#!/usr/bin/env node
// Installs npm dependencies when node_modules does not match package-lock.json (used by .ci/run).
import { ensureNpmDependencies } from './lib.mjs';

ensureNpmDependencies();
