import { createInterface } from 'node:readline';
import type { CommandContext } from './command.js';

/** Docker's prune prompt: proceeds on `-f`, else asks on the terminal and wants y or Y. */
export async function confirm(context: CommandContext, warning: string): Promise<boolean> {
  if (context.flags.get('force') === true) return true;
  context.reporter.write(`${warning}\nAre you sure you want to continue? [y/N] `);
  const lines = createInterface({ input: process.stdin });
  try {
    for await (const line of lines) return /^y(es)?$/i.test(line.trim());
    return false;
  } finally {
    lines.close();
  }
}

export const FORCE_FLAG = {
  name: 'force',
  short: 'f',
  kind: 'boolean',
  description: 'Do not prompt for confirmation',
} as const;
