import type { AgentConnection } from '@stevedore/agent-api/client';
import { countOf } from '@stevedore/shared';
import { DEFAULT_HOST } from '../config/agent-config.js';
import { AGENT_VERSION, gitCommit } from '../system/version.js';
import { ArgvError, type FlagSpec, flagDisplayName, formatFlagHelp, parseArgv } from '../util/argv.js';
import type { Command } from './command.js';
import { findGroupCommand, findTopLevelCommand, groupVerbs, type ResolvedCommand } from './command-lookup.js';
import { connectToAgent, requestAgent } from './connect.js';
import {
  describeError,
  FLAG_ERROR_EXIT_CODE,
  FlagValueError,
  OperationalError,
  UsageError,
} from './errors.js';
import { COMMAND_GROUPS, COMMANDS } from './registry.js';
import { type CliStreams, Reporter } from './reporter.js';

const HELP_FLAG: FlagSpec = { name: 'help', short: 'h', kind: 'boolean', description: 'Print usage' };

const GLOBAL_FLAGS: readonly FlagSpec[] = [
  {
    name: 'host',
    short: 'H',
    kind: 'string',
    valueName: 'string',
    description: 'Agent address: unix:///path, tcp://ip:port or https://host:port (env STEVEDORE_HOST)',
    defaultText: DEFAULT_HOST,
  },
  {
    name: 'token',
    kind: 'string',
    valueName: 'string',
    description: 'API token for TCP/TLS agents (env STEVEDORE_TOKEN)',
  },
  {
    name: 'tlscacert',
    kind: 'string',
    valueName: 'FILE',
    description: 'Trust certs signed only by this CA (PEM)',
  },
  HELP_FLAG,
  { name: 'version', short: 'v', kind: 'boolean', description: 'Print version information and quit' },
];

export interface CliEnvironment extends CliStreams {
  env: NodeJS.ProcessEnv;
}

export { exitQuietlyWhenOutputCloses, flushOutput } from './output-streams.js';

/** Runs the `stevedore` CLI and resolves to its exit code. */
export async function runCli(argv: readonly string[], environment: CliEnvironment): Promise<number> {
  const reporter = new Reporter(environment);
  let connection: AgentConnection | undefined;
  /** The command being run, once known: its flags and name complete a FlagValueError's message. */
  let running: { flags: readonly FlagSpec[]; name: string } | undefined;
  try {
    const global = parseOrUsage(argv, GLOBAL_FLAGS, 'stevedore', true);
    if (global.flags.get('version')) {
      reporter.line(`Stevedore version ${AGENT_VERSION}, build ${await gitCommit()}`);
      return 0;
    }
    const [first, ...rest] = global.positionals;
    if (global.flags.get('help') || first === undefined) {
      reporter.write(mainHelp());
      return 0;
    }
    const resolved = resolveCommand(first, rest[0]);
    if (resolved === 'group') {
      reporter.write(groupHelp(first));
      return 0;
    }
    const { command } = resolved;
    const name = `stevedore ${resolved.path.join(' ')}`;
    running = { flags: command.flags, name };
    // `-h` is the command's own where it has one (`run -h NAME` is --hostname, as in Docker).
    const ownsH = command.flags.some((flag) => flag.short === 'h');
    const local = parseOrUsage(
      global.positionals.slice(resolved.path.length),
      [...command.flags, ownsH ? { ...HELP_FLAG, short: undefined } : HELP_FLAG],
      name,
      command.flagsEndAtFirstArg ?? false,
    );
    if (local.flags.get('help')) {
      reporter.write(commandHelp(resolved));
      return 0;
    }
    checkArgumentCount(command, name, local.positionals.length);

    const target = {
      host:
        (global.flags.get('host') as string | undefined) ?? environment.env.STEVEDORE_HOST ?? DEFAULT_HOST,
      token: (global.flags.get('token') as string | undefined) ?? environment.env.STEVEDORE_TOKEN,
      caFile: global.flags.get('tlscacert') as string | undefined,
      extraCaFile: environment.env.STEVEDORE_EXTRA_CA_CERTS,
    };
    return await command.execute({
      args: local.positionals,
      flags: local.flags,
      reporter,
      agent: async () => {
        connection ??= await connectToAgent(target);
        return connection.client;
      },
      agentHttp: (request) => requestAgent(target, request),
      reconnect: async (timeoutMs) => {
        await connection?.close();
        connection = undefined;
        const deadline = Date.now() + timeoutMs;
        for (;;) {
          try {
            connection = await connectToAgent(target);
            return connection.client;
          } catch (error) {
            if (Date.now() > deadline) throw error;
            await new Promise((resolve) => setTimeout(resolve, 200));
          }
        }
      },
    });
  } catch (error) {
    if (error instanceof UsageError) {
      reporter.error(error.hint ? `${error.message}\nSee '${error.commandName} --help'.` : error.message);
      return error.exitCode;
    }
    if (error instanceof FlagValueError && running) {
      const spec = running.flags.find((flag) => flag.name === error.flag);
      reporter.error(error.describe(spec ? flagDisplayName(spec) : `--${error.flag}`, running.name));
      return error.exitCode;
    }
    reporter.error(describeError(error));
    return error instanceof OperationalError ? error.exitCode : 1;
  } finally {
    await connection?.close();
  }
}

function parseOrUsage(
  argv: readonly string[],
  specs: readonly FlagSpec[],
  name: string,
  stopAtPositional = false,
) {
  try {
    return parseArgv(argv, specs, { stopAtPositional });
  } catch (error) {
    if (error instanceof ArgvError) throw new UsageError(error.message, name, true, FLAG_ERROR_EXIT_CODE);
    throw error;
  }
}

function resolveCommand(first: string, second: string | undefined): ResolvedCommand | 'group' {
  if (first in COMMAND_GROUPS) {
    if (second === undefined || second.startsWith('-')) return 'group';
    const command = findGroupCommand(first, second);
    if (!command)
      throw new UsageError(
        `stevedore: '${first} ${second}' is not a stevedore command.`,
        `stevedore ${first}`,
      );
    return command;
  }
  const command = findTopLevelCommand(first);
  if (!command) throw new UsageError(`stevedore: '${first}' is not a stevedore command.`, 'stevedore');
  return command;
}

function checkArgumentCount(command: Command, name: string, count: number): void {
  const { min, max } = command.args;
  if (count >= min && count <= max) return;
  const plural = (n: number) => countOf(n, 'argument');
  const requirement =
    max === 0
      ? 'accepts no arguments'
      : min === max
        ? `requires exactly ${plural(min)}`
        : count < min
          ? `requires at least ${plural(min)}`
          : `requires at most ${plural(max)}`;
  throw new UsageError(
    `"${name}" ${requirement}.\nSee '${name} --help'.\n\nUsage:  ${name} ${command.usage}\n\n${command.description}`,
    name,
    false,
  );
}

function mainHelp(): string {
  const topLevel = COMMANDS.filter((c) => c.path.length === 1);
  const width =
    Math.max(
      ...[...topLevel.map((c) => c.path[0] as string), ...Object.keys(COMMAND_GROUPS)].map((n) => n.length),
    ) + 2;
  return [
    'Usage:  stevedore [OPTIONS] COMMAND',
    '',
    'A command-line client for Stevedore agents',
    '',
    'Management Commands:',
    ...Object.entries(COMMAND_GROUPS).map(([noun, text]) => `  ${noun.padEnd(width)}${text}`),
    '',
    'Commands:',
    ...topLevel.map((c) => `  ${(c.path[0] as string).padEnd(width)}${c.description}`),
    '',
    'Global Options:',
    formatFlagHelp(GLOBAL_FLAGS),
    '',
    "Run 'stevedore COMMAND --help' for more information on a command.",
    '',
  ].join('\n');
}

function groupHelp(noun: string): string {
  const commands = groupVerbs(noun);
  const width = Math.max(...commands.map((c) => c.verb.length)) + 2;
  return [
    `Usage:  stevedore ${noun} COMMAND`,
    '',
    COMMAND_GROUPS[noun],
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.verb.padEnd(width)}${c.command.description}`),
    '',
    `Run 'stevedore ${noun} COMMAND --help' for more information on a command.`,
    '',
  ].join('\n');
}

function commandHelp({ command, path, aliases }: ResolvedCommand): string {
  return [
    `Usage:  stevedore ${path.join(' ')} ${command.usage}`,
    '',
    command.description,
    '',
    ...(aliases.length > 1 ? ['Aliases:', `  ${aliases.join(', ')}`, ''] : []),
    'Options:',
    formatFlagHelp([...command.flags, HELP_FLAG]),
    '',
  ].join('\n');
}
