import type { AgentClient } from '@stevedore/agent-api/client';
import type { CommandContext } from './command.js';
import { agentErrorCode, describeError, describeMissingOrError, OperationalError } from './errors.js';

/**
 * Docker's way with several names (`rm a b c`, `rmi`, `volume rm`, `wait`): act on each, print
 * what the action returns (by default the name), report a failure and go on; exit 1 if any failed.
 */
export async function forEachArgument(
  context: CommandContext,
  /** Resolves the lines to print; anything but an array prints the argument. */
  action: (client: AgentClient, argument: string) => Promise<unknown>,
  args: readonly string[] = context.args,
): Promise<number> {
  const client = await context.agent();
  let code = 0;
  for (const argument of args) {
    try {
      const lines = await action(client, argument);
      context.reporter.lines(Array.isArray(lines) ? (lines as string[]) : [argument]);
    } catch (error) {
      context.reporter.error(describeError(error));
      code = 1;
    }
  }
  return code;
}

/**
 * Docker's `rm -f` and `rmi -f`: a name that is already gone is no failure when forced; its
 * `Error: No such …` goes to stderr and the status stays 0. Other failures fail as ever.
 */
export async function forgivingMissing<T>(
  context: CommandContext,
  force: boolean,
  action: () => Promise<T>,
): Promise<T | []> {
  try {
    return await action();
  } catch (error) {
    if (!(force && agentErrorCode(error) === 'NOT_FOUND')) {
      throw new OperationalError(describeMissingOrError(error));
    }
    context.reporter.error(describeMissingOrError(error));
    return [];
  }
}
