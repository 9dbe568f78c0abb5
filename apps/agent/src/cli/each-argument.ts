import type { AgentClient } from '../api/client.js';
import type { CommandContext } from './command.js';
import { describeError } from './errors.js';

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
