import { type ErrorCode, ErrorCodes, isStevedoreError, StevedoreError } from '@stevedore/shared';

/**
 * An error from an agent call (a tRPC client error whose data carries the engine's error code) as a
 * domain error with the same code, so "no such container" reaches the browser as NOT_FOUND rather
 * than as an internal error.
 */
export function fromAgentError(error: unknown, context: Record<string, unknown>): unknown {
  if (isStevedoreError(error)) return error;
  if (!(error instanceof Error)) return new StevedoreError('INTERNAL', String(error), context);
  const data = (error as { data?: { stevedoreCode?: unknown } }).data;
  const code = data?.stevedoreCode;
  const known = typeof code === 'string' && (ErrorCodes as readonly string[]).includes(code);
  return known ? new StevedoreError(code as ErrorCode, error.message, context) : error;
}

/** Runs an agent call, translating its failure with fromAgentError. */
export async function agentCall<T>(context: Record<string, unknown>, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw fromAgentError(error, context);
  }
}
