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

/**
 * Docker's client words a missing object itself, `Error: No such container: X`, where other
 * daemon errors are `Error response from daemon: …`.
 */
export function describeMissingOrError(error: unknown): string {
  if (
    agentErrorCode(error) === 'NOT_FOUND' &&
    error instanceof Error &&
    error.message.startsWith('No such ')
  ) {
    return `Error: ${error.message}`;
  }
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
