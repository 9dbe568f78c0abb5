import type { IncomingMessage } from 'node:http';
import type { AgentHttpRequest } from '@stevedore/agent-api/archive-client';
import type { AgentClient } from '@stevedore/agent-api/client';
import type { FlagSpec, FlagValue } from '../util/argv.js';
import type { Reporter } from './reporter.js';

export interface CommandContext {
  args: string[];
  flags: Map<string, FlagValue>;
  reporter: Reporter;
  /** Connects on first use; the connection is closed when the command returns. */
  agent(): Promise<AgentClient>;
  /** Drops the connection and connects again, retrying until `timeoutMs` (the agent restarted). */
  reconnect(timeoutMs: number): Promise<AgentClient>;
  /** A streamed HTTP request to the agent's archive routes; the 200 response, else an error. */
  agentHttp(request: AgentHttpRequest): Promise<IncomingMessage>;
}

/** One CLI command: its usage text, typed flags and an execute() returning the exit code. */
export interface Command {
  /** e.g. ['token', 'create']. */
  path: readonly string[];
  /** Arguments as shown after the command name, e.g. "NAME". */
  usage: string;
  description: string;
  flags: readonly FlagSpec[];
  args: { min: number; max: number };
  /** Flags end at the first argument (`run IMAGE CMD -x`: -x belongs to CMD). */
  flagsEndAtFirstArg?: boolean;
  execute(context: CommandContext): Promise<number>;
}

export const FORMAT_FLAG: FlagSpec = {
  name: 'format',
  short: 'f',
  kind: 'string',
  valueName: 'string',
  description: "Format output using a custom template: 'json', or a Go template such as '{{.Name}}'",
};

/** `--format` of list commands, where `-f` is `--filter` (as in Docker). */
export const LIST_FORMAT_FLAG: FlagSpec = { ...FORMAT_FLAG, short: undefined };

/** Docker's `-f/--filter key=value` of list commands, repeatable. */
export const FILTER_FLAG: FlagSpec = {
  name: 'filter',
  short: 'f',
  kind: 'list',
  valueName: 'filter',
  description: "Filter output based on conditions provided (e.g. 'dangling=true', 'label=KEY=VALUE')",
};

/** `-o FILE` of save and export. */
export const OUTPUT_FLAG: FlagSpec = {
  name: 'output',
  short: 'o',
  kind: 'string',
  valueName: 'string',
  description: 'Write to a file, instead of STDOUT',
};

export const stringFlag = (context: CommandContext, name: string): string | undefined => {
  const value = context.flags.get(name);
  return typeof value === 'string' ? value : undefined;
};

export const listFlag = (context: CommandContext, name: string): string[] => {
  const value = context.flags.get(name);
  return Array.isArray(value) ? value : [];
};

export const booleanFlag = (context: CommandContext, name: string): boolean =>
  context.flags.get(name) === true;
