import type { AgentClient } from '@stevedore/agent-api/client';
import { type CommandContext, stringFlag } from './command.js';
import { describeMissingOrError } from './errors.js';
import { formatValue } from './format/template-output.js';

/** Docker's inspect output: each object through `--format`, or all as one indented JSON array. */
export function printInspected(context: CommandContext, objects: readonly unknown[]): void {
  const format = stringFlag(context, 'format');
  if (format !== undefined) for (const object of objects) context.reporter.line(formatValue(format, object));
  else context.reporter.line(JSON.stringify(objects, null, 4));
}

/** `image|volume|network inspect A B`: what is found is printed, each miss reported; exit 1 if any missed. */
export async function inspectEach(
  context: CommandContext,
  inspect: (client: AgentClient, name: string) => Promise<unknown>,
): Promise<number> {
  const client = await context.agent();
  const found: unknown[] = [];
  let code = 0;
  for (const name of context.args) {
    try {
      found.push(await inspect(client, name));
    } catch (error) {
      context.reporter.error(describeMissingOrError(error));
      code = 1;
    }
  }
  printInspected(context, found);
  return code;
}
