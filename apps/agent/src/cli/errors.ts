import { TRPCClientError } from '@trpc/client';

/**
 * The command line was wrong: short message, a pointer to --help. Docker exits 125 for a flag it
 * cannot parse (unknown, missing or invalid value) and 1 for a wrong argument count or command.
 */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  constructor(
    message: string,
    /** e.g. "stevedore token create", for the "See '... --help'." hint. */
    readonly commandName: string,
    /** Whether to append "See '<command> --help'." (false when the message already has it). */
    readonly hint = true,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

/** Docker's exit status for a flag it cannot parse: an unknown flag, a missing or invalid value. */
export const FLAG_ERROR_EXIT_CODE = 125;

/** Something failed while doing the work; the message is printed as is. */
export class OperationalError extends Error {
  override readonly name = 'OperationalError';
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

/**
 * A flag's value did not parse. Printed as pflag words it, naming the flag's short and long form
 * (`invalid argument "x" for "-m, --memory" flag: why`), then Docker's "See '… --help'." line:
 * main.ts knows the command's flags and name, so it completes the message.
 */
export class FlagValueError extends OperationalError {
  constructor(
    /** The flag's long name, without dashes. */
    readonly flag: string,
    readonly value: string,
    readonly why: string,
    exitCode = FLAG_ERROR_EXIT_CODE,
  ) {
    super(`invalid argument "${value}" for "--${flag}" flag: ${why}`, exitCode);
  }

  /** The full message, with the flag as `display` names it and the help hint of `commandName`. */
  describe(display: string, commandName: string): string {
    return `invalid argument "${this.value}" for "${display}" flag: ${this.why}\nSee '${commandName} --help'.`;
  }
}

/**
 * `docker run` words its own failures: `docker: MSG.`, and while no container exists yet (the
 * options or the create were refused), its help line too. Flag errors keep pflag's form; errors
 * that are not the command's own (a dropped connection) pass as they are.
 */
export function asRunFailure<E>(error: E, { beforeCreate }: { beforeCreate: boolean }): E | OperationalError {
  if (!(error instanceof OperationalError) || error instanceof FlagValueError) return error;
  const help = beforeCreate ? "\nSee 'stevedore run --help'." : '';
  return new OperationalError(`stevedore: ${error.message.replace(/\.$/, '')}.${help}`, error.exitCode);
}

/** The message to print for an error thrown while running a command. */
export function describeError(error: unknown): string {
  if (error instanceof TRPCClientError && connectionClosed(error)) {
    return 'the agent closed the connection before answering: it stopped or crashed (see its log); what the request did may be half done';
  }
  if (error instanceof TRPCClientError) return `Error response from daemon: ${error.message}`;
  if (error instanceof Error) return error.message;
  return String(error);
}

/** The agent's StevedoreError code (e.g. `NOT_FOUND`), when the error came from the agent. */
export function agentErrorCode(error: unknown): string | null {
  if (!(error instanceof TRPCClientError)) return null;
  const data = error.data as { stevedoreCode?: unknown } | undefined;
  return typeof data?.stevedoreCode === 'string' ? data.stevedoreCode : null;
}

/** Object kinds whose NOT_FOUND errors name the object in their context (`{ volume: 'x' }`). */
const MISSING_KINDS_BY_CONTEXT = ['volume', 'network'] as const;

/**
 * Docker's client words a missing object itself where it looks one up (inspect, rm),
 * `Error: No such container: X`, `Error: No such volume: X`, where other daemon errors are
 * `Error response from daemon: …` (the agent's own text for volumes and networks is the daemon's,
 * `get X: no such volume`, `network X not found`: that is what connect and run print).
 */
export function describeMissingOrError(error: unknown): string {
  if (agentErrorCode(error) === 'NOT_FOUND') {
    if (error instanceof Error && error.message.startsWith('No such ')) return `Error: ${error.message}`;
    const context = agentErrorContext(error);
    for (const kind of MISSING_KINDS_BY_CONTEXT) {
      const name = context?.[kind];
      if (typeof name === 'string') return `Error: No such ${kind}: ${name}`;
    }
  }
  return describeError(error);
}

/** Runs a lookup whose failure Docker's client words itself (see describeMissingOrError). */
export async function wordedAsLookup<T>(action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (error) {
    throw new OperationalError(describeMissingOrError(error));
  }
}

/**
 * A failed pull as Docker words it: a manifest the registry does not have (the agent's NOT_FOUND
 * for a `manifests/…` path) is `manifest for NAME:TAG not found: manifest unknown: manifest
 * unknown`, `reference` in Docker's short form with its tag; anything else as describeError.
 */
export function describePullError(error: unknown, reference: string): string {
  const path = agentErrorContext(error)?.path;
  if (agentErrorCode(error) === 'NOT_FOUND' && typeof path === 'string' && path.startsWith('manifests/'))
    return `Error response from daemon: manifest for ${reference} not found: manifest unknown: manifest unknown`;
  return describeError(error);
}

/** The agent's error context (e.g. `{ exitCode: 127 }`), when the error came from the agent. */
export function agentErrorContext(error: unknown): Record<string, unknown> | null {
  if (!(error instanceof TRPCClientError)) return null;
  const data = error.data as { context?: Record<string, unknown> | null } | undefined;
  return data?.context ?? null;
}

/**
 * The connection dropped under a pending request: tRPC says "WebSocket closed", or, when the
 * socket's close event is the cause, "Unknown error"; neither carries the agent's error data.
 */
function connectionClosed(error: TRPCClientError<never>): boolean {
  const cause = error.cause as { name?: unknown } | undefined;
  return (
    cause?.name === 'TRPCWebSocketClosedError' ||
    (error.data === undefined && error.shape === undefined && error.message === 'Unknown error')
  );
}
