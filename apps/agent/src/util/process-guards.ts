import type { Logger } from './logger.js';

/** Uncaught exceptions tolerated within WINDOW_MS before the agent exits for a clean restart. */
const UNCAUGHT_LIMIT = 10;
const WINDOW_MS = 60_000;
/** EX_SOFTWARE: an internal error; a supervisor (the systemd unit) restarts the agent. */
export const EXIT_TOO_MANY_UNCAUGHT = 70;

/**
 * Process-wide last resorts, installed once by the composition root.
 *
 * An unhandled rejection is a promise nobody awaited failing: logged with its stack, and the agent
 * goes on (Node's default would end it, and with it every client's API).
 *
 * An uncaught exception is a throw from a plain callback (an event listener, a timer) that no
 * request boundary caught. The decision: log it and go on, because what the agent must not lose is
 * on disk, written atomically and reconciled at start-up, and containers run under conmon
 * either way; ending the process would turn any such bug that a client can trigger into a way to
 * take the API down. What could be left half done is the state of the one callback that threw.
 * If they keep coming (more than UNCAUGHT_LIMIT in WINDOW_MS), the process is presumed broken and
 * exits with EXIT_TOO_MANY_UNCAUGHT so that its supervisor starts a clean one.
 */
export function installProcessGuards(log: Logger, exit: (code: number) => void = process.exit): () => void {
  const recent: number[] = [];
  const onRejection = (reason: unknown) => {
    log.error({ err: reason }, 'unhandled promise rejection (the agent keeps running)');
  };
  const onException = (error: Error, origin: string) => {
    const now = Date.now();
    recent.push(now);
    while (recent.length > 0 && (recent[0] as number) < now - WINDOW_MS) recent.shift();
    if (recent.length > UNCAUGHT_LIMIT) {
      log.fatal(
        { err: error, origin, count: recent.length },
        `${recent.length} uncaught exceptions within ${WINDOW_MS / 1000} s: exiting so a clean agent can start`,
      );
      exit(EXIT_TOO_MANY_UNCAUGHT);
      return;
    }
    log.error({ err: error, origin }, 'uncaught exception (the agent keeps running)');
  };
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtException', onException);
  return () => {
    process.off('unhandledRejection', onRejection);
    process.off('uncaughtException', onException);
  };
}
