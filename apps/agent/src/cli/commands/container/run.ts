import type { AgentClient } from '@stevedore/agent-api/client';
import type { Command, CommandContext } from '../../command.js';
import { agentErrorContext, asRunFailure, describeError, OperationalError } from '../../errors.js';
import { interactiveSession } from './attach-session.js';
import { asRunError, createContainer } from './create.js';
import { CREATE_FLAGS, createInputFromFlags } from './create-flags.js';

export const runCommand: Command = {
  path: ['run'],
  usage: '[OPTIONS] IMAGE [COMMAND] [ARG...]',
  description: 'Create and run a new container from an image',
  flags: [
    {
      name: 'detach',
      short: 'd',
      kind: 'boolean',
      description: 'Run container in background and print container ID',
    },
    {
      name: 'sig-proxy',
      kind: 'boolean',
      description: 'Proxy received signals to the process (default true; not with -t)',
    },
    ...CREATE_FLAGS,
  ],
  args: { min: 1, max: Number.POSITIVE_INFINITY },
  flagsEndAtFirstArg: true,
  async execute(context) {
    const detach = context.flags.get('detach') === true;
    const { input, id } = await createForRun(context, detach).catch((error: unknown) => {
      throw asRunFailure(error, { beforeCreate: true });
    });
    const client = await context.agent();
    const runStartError = (error: unknown) => asRunFailure(startError(error), { beforeCreate: false });
    if (detach) {
      try {
        await client.containers.start.mutate({ container: id });
      } catch (error) {
        throw runStartError(error);
      }
      context.reporter.line(id);
      return 0;
    }
    if (input.Config.OpenStdin || input.Config.Tty) {
      return interactiveSession(
        client,
        context,
        id,
        { start: true, interactive: input.Config.OpenStdin === true, tty: input.Config.Tty === true },
        runStartError,
      );
    }
    return startAndFollow(client, context, id, runStartError, context.flags.get('sig-proxy') !== false);
  },
};

/** The options checked and the container created: what fails here gets run's help line. */
async function createForRun(context: CommandContext, detach: boolean) {
  const input = createInputFromFlags(context, process.env);
  if (detach && input.HostConfig?.AutoRemove && input.HostConfig.RestartPolicy?.Name !== 'no') {
    throw new OperationalError('Conflicting options: --restart and --rm', 125);
  }
  return { input, id: await createContainer(context, input) };
}

/** Docker's sig-proxy: what the CLI is sent while it follows a container goes to the container. */
const PROXIED_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2'] as const;

/**
 * Starts the container and prints its stdout and stderr apart until it exits; resolves with its
 * exit status (`run` and `start -a` without a terminal or stdin). Signals the CLI gets meanwhile
 * are sent to the container, unless `proxySignals` is false.
 */
export function startAndFollow(
  client: AgentClient,
  context: CommandContext,
  id: string,
  onError: (error: unknown) => Error,
  proxySignals = true,
): Promise<number> {
  // Best effort, as docker's signal proxy: a container that already exited has nothing to signal,
  // and its exit status reaches the caller through the followed output.
  const forward = (signal: NodeJS.Signals) =>
    void client.containers.kill.mutate({ container: id, signal }).catch(() => undefined);
  if (proxySignals) for (const signal of PROXIED_SIGNALS) process.on(signal, forward);
  const followed = new Promise<number>((resolve, reject) => {
    const subscription = client.containers.startAttached.subscribe(
      { container: id },
      {
        onData: (event) => {
          if (event.type === 'line') {
            const text = `${event.line.text}${event.line.partial ? '' : '\n'}`;
            if (event.line.stream === 'stdout') context.reporter.write(text);
            else context.reporter.writeError(text);
            return;
          }
          resolve(event.result.StatusCode);
          subscription.unsubscribe();
        },
        onError: (error) => reject(onError(error)),
        onComplete: () =>
          reject(
            new OperationalError(
              'the agent closed the connection before the container exited: the agent stopped or crashed (see its log); the container may still run (stevedore ps)',
              125,
            ),
          ),
      },
    );
  });
  return followed.finally(() => {
    for (const signal of PROXIED_SIGNALS) process.off(signal, forward);
  });
}

/** A start that fails exits with the code Docker gives it: 126, 127, else 125. */
export function startError(error: unknown): OperationalError {
  const exitCode = agentErrorContext(error)?.exitCode;
  if (typeof exitCode === 'number' && (exitCode === 126 || exitCode === 127)) {
    return new OperationalError(describeError(error), exitCode);
  }
  return asRunError(error);
}
