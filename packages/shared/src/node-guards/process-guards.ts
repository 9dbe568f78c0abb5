import type { GuardLog } from './guard-log.js';

export interface ProcessGuardOptions {
  /** Who keeps running, as the log lines name it ("the agent", "the dashboard"). */
  name: string;
  /**
   * More than `limit` uncaught exceptions within `windowMs` end the process with `code`, so that a
   * supervisor starts a clean one; without it the process never exits on its own.
   */
  exitOnBurst?: { limit: number; windowMs: number; code: number; exit?: (code: number) => void };
}

/**
 * Process-wide last resorts, installed once by a composition root (the agent's and the dashboard's).
 *
 * An unhandled rejection is a promise nobody awaited failing: logged with its stack, and the process
 * goes on (Node's default would end it, and with it every client's connection).
 *
 * An uncaught exception is a throw from a plain callback (an event listener, a timer) that no
 * request boundary caught: logged, and the process goes on, because ending it would turn any such
 * bug that a client can trigger into a way to take the service down. What could be left half done
 * is the state of the one callback that threw. With `exitOnBurst`, a stream of them means the
 * process is presumed broken and it exits.
 *
 * Returns a function that removes the guards (for tests).
 */
export function installProcessGuards(log: GuardLog, options: ProcessGuardOptions): () => void {
  const { name, exitOnBurst } = options;
  const recent: number[] = [];
  const onRejection = (reason: unknown) => {
    log.error({ err: reason }, `unhandled promise rejection (${name} keeps running)`);
  };
  const onException = (error: Error, origin: string) => {
    if (exitOnBurst) {
      const now = Date.now();
      recent.push(now);
      while (recent.length > 0 && (recent[0] as number) < now - exitOnBurst.windowMs) recent.shift();
      if (recent.length > exitOnBurst.limit) {
        log.fatal(
          { err: error, origin, count: recent.length },
          `${recent.length} uncaught exceptions within ${exitOnBurst.windowMs / 1000} s: exiting so a clean process can start`,
        );
        (exitOnBurst.exit ?? process.exit)(exitOnBurst.code);
        return;
      }
    }
    log.error({ err: error, origin }, `uncaught exception (${name} keeps running)`);
  };
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtException', onException);
  return () => {
    process.off('unhandledRejection', onRejection);
    process.off('uncaughtException', onException);
  };
}
