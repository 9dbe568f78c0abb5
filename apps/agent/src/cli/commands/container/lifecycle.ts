import { booleanFlag, type Command, type CommandContext, stringFlag } from '../../command.js';
import { forEachArgument, forgivingMissing } from '../../each-argument.js';
import { agentErrorCode, describeError, OperationalError, wordedAsLookup } from '../../errors.js';
import { integer, parseFlagValue } from '../../flag-values.js';
import { interactiveSession } from './attach-session.js';
import { startAndFollow, startError } from './run.js';

const timeoutOf = (context: CommandContext): number | undefined => {
  const text = stringFlag(context, 'time');
  return text === undefined ? undefined : parseFlagValue('time', text, integer);
};

const TIME_FLAG = {
  name: 'time',
  short: 't',
  kind: 'string',
  valueName: 'int',
  description: 'Seconds to wait before killing the container',
} as const;
const SIGNAL_FLAG = {
  name: 'signal',
  short: 's',
  kind: 'string',
  valueName: 'string',
  description: 'Signal to send to the container',
} as const;
const MANY = { min: 1, max: Number.POSITIVE_INFINITY };

export const startCommand: Command = {
  path: ['start'],
  usage: '[OPTIONS] CONTAINER [CONTAINER...]',
  description: 'Start one or more stopped containers',
  flags: [
    { name: 'attach', short: 'a', kind: 'boolean', description: 'Attach STDOUT/STDERR and forward signals' },
    { name: 'interactive', short: 'i', kind: 'boolean', description: "Attach container's STDIN" },
  ],
  args: MANY,
  async execute(context) {
    const attach = booleanFlag(context, 'attach');
    const interactive = booleanFlag(context, 'interactive');
    if (!attach && !interactive) {
      // Docker closes the per-container errors with one line naming every container that failed.
      const failed: string[] = [];
      await forEachArgument(context, async (client, container) => {
        try {
          return await client.containers.start.mutate({ container });
        } catch (error) {
          failed.push(container);
          throw error;
        }
      });
      if (failed.length > 0)
        throw new OperationalError(`Error: failed to start containers: ${failed.join(', ')}`);
      return 0;
    }
    if (context.args.length > 1) {
      throw new OperationalError('you cannot start and attach multiple containers at once');
    }
    // As `run` does: the container's output until it exits, and its exit status as ours.
    const client = await context.agent();
    const container = context.args[0] as string;
    const { Config } = await wordedAsLookup(() => client.containers.inspect.query({ container }));
    if (interactive || Config.Tty) {
      return interactiveSession(
        client,
        context,
        container,
        { start: true, interactive, tty: Config.Tty },
        startError,
      );
    }
    return startAndFollow(client, context, container, startError);
  },
};

export const stopCommand: Command = {
  path: ['stop'],
  usage: '[OPTIONS] CONTAINER [CONTAINER...]',
  description: 'Stop one or more running containers',
  flags: [TIME_FLAG, SIGNAL_FLAG],
  args: MANY,
  execute(context) {
    const timeout = timeoutOf(context);
    const signal = stringFlag(context, 'signal');
    return forEachArgument(context, (client, container) =>
      client.containers.stop.mutate({
        container,
        ...(timeout !== undefined ? { timeout } : {}),
        ...(signal ? { signal } : {}),
      }),
    );
  },
};

export const restartCommand: Command = {
  path: ['restart'],
  usage: '[OPTIONS] CONTAINER [CONTAINER...]',
  description: 'Restart one or more containers',
  flags: [TIME_FLAG],
  args: MANY,
  execute(context) {
    const timeout = timeoutOf(context);
    return forEachArgument(context, (client, container) =>
      client.containers.restart.mutate({ container, ...(timeout !== undefined ? { timeout } : {}) }),
    );
  },
};

export const killCommand: Command = {
  path: ['kill'],
  usage: '[OPTIONS] CONTAINER [CONTAINER...]',
  description: 'Kill one or more running containers',
  flags: [SIGNAL_FLAG],
  args: MANY,
  execute(context) {
    const signal = stringFlag(context, 'signal') ?? 'SIGKILL';
    return forEachArgument(context, async (client, container) => {
      try {
        return await client.containers.kill.mutate({ container, signal });
      } catch (error) {
        // Docker's daemon names the container it could not kill even when there is none.
        if (agentErrorCode(error) !== 'NOT_FOUND') throw error;
        throw new OperationalError(
          `Error response from daemon: Cannot kill container: ${container}: ${(error as Error).message}`,
        );
      }
    });
  },
};

export const pauseCommand: Command = {
  path: ['pause'],
  usage: 'CONTAINER [CONTAINER...]',
  description: 'Pause all processes within one or more containers',
  flags: [],
  args: MANY,
  execute: (context) =>
    forEachArgument(context, (client, container) => client.containers.pause.mutate({ container })),
};

export const unpauseCommand: Command = {
  path: ['unpause'],
  usage: 'CONTAINER [CONTAINER...]',
  description: 'Unpause all processes within one or more containers',
  flags: [],
  args: MANY,
  execute: (context) =>
    forEachArgument(context, (client, container) => client.containers.unpause.mutate({ container })),
};

export const rmCommand: Command = {
  path: ['rm'],
  usage: '[OPTIONS] CONTAINER [CONTAINER...]',
  description: 'Remove one or more containers',
  flags: [
    {
      name: 'force',
      short: 'f',
      kind: 'boolean',
      description: 'Force the removal of a running container (uses SIGKILL)',
    },
    {
      name: 'volumes',
      short: 'v',
      kind: 'boolean',
      description: 'Remove anonymous volumes associated with the container',
    },
  ],
  args: MANY,
  execute(context) {
    const force = context.flags.get('force') === true;
    const volumes = context.flags.get('volumes') === true;
    return forEachArgument(context, (client, container) =>
      forgivingMissing(context, force, async () => {
        await client.containers.remove.mutate({ container, force, volumes });
        return [container];
      }),
    );
  },
};

export const renameCommand: Command = {
  path: ['rename'],
  usage: 'CONTAINER NEW_NAME',
  description: 'Rename a container',
  flags: [],
  args: { min: 2, max: 2 },
  async execute(context) {
    const [container, name] = context.args as [string, string];
    const client = await context.agent();
    try {
      await client.containers.rename.mutate({ container, name });
    } catch (error) {
      // Docker's closing line after the daemon's reason.
      context.reporter.error(describeError(error));
      throw new OperationalError(`Error: failed to rename container named ${container}`);
    }
    return 0;
  },
};

export const waitCommand: Command = {
  path: ['wait'],
  usage: 'CONTAINER [CONTAINER...]',
  description: 'Block until one or more containers stop, then print their exit codes',
  flags: [],
  args: MANY,
  execute: (context) =>
    forEachArgument(context, async (client, container) => [
      String((await client.containers.wait.mutate({ container })).StatusCode),
    ]),
};
