import { installProcessGuards as installGuards } from '@stevedore/shared/node-guards';
import type { Logger } from './logger.js';

/** Uncaught exceptions tolerated within WINDOW_MS before the agent exits for a clean restart. */
const UNCAUGHT_LIMIT = 10;
const WINDOW_MS = 60_000;
/** EX_SOFTWARE: an internal error; a supervisor (the systemd unit) restarts the agent. */
export const EXIT_TOO_MANY_UNCAUGHT = 70;

/**
 * The agent's process-wide last resorts (packages/shared/src/node-guards/process-guards.ts): stray
 * rejections and exceptions are logged and the agent goes on, because what it must not lose is on
 * disk, written atomically and reconciled at start-up, and containers run under conmon either way.
 * If they keep coming (more than UNCAUGHT_LIMIT in WINDOW_MS), the process is presumed broken and
 * exits with EXIT_TOO_MANY_UNCAUGHT so that its supervisor starts a clean one.
 */
export function installProcessGuards(log: Logger, exit: (code: number) => void = process.exit): () => void {
  return installGuards(log, {
    name: 'the agent',
    exitOnBurst: { limit: UNCAUGHT_LIMIT, windowMs: WINDOW_MS, code: EXIT_TOO_MANY_UNCAUGHT, exit },
  });
}
