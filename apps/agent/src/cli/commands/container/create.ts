import type { AgentClient } from '@stevedore/agent-api/client';
import type { ContainerCreateInput } from '@stevedore/shared';
import { type Command, type CommandContext, stringFlag } from '../../command.js';
import { agentErrorContext, describeError, OperationalError } from '../../errors.js';
import { pullWithProgress } from '../image/pull.js';
import { CREATE_FLAGS, createInputFromFlags } from './create-flags.js';

/**
 * Creates the container, pulling the image first when it is missing (`--pull missing`, Docker's
 * default), always, or never. Engine errors exit 125, as `docker run`/`create` do.
 */
export async function createContainer(context: CommandContext, input: ContainerCreateInput): Promise<string> {
  const client = await context.agent();
  const policy = stringFlag(context, 'pull') ?? 'missing';
  if (!['always', 'missing', 'never'].includes(policy)) {
    throw new OperationalError(
      `invalid pull option: '${policy}': must be one of "always", "missing" or "never"`,
      125,
    );
  }
  const quiet = context.flags.get('quiet') === true;
  if (policy === 'always') await pullForRun(client, context, input.Config.Image, quiet);
  try {
    return await createOnce(client, context, input);
  } catch (error) {
    if (policy !== 'missing' || agentErrorContext(error)?.missingImage !== true) throw asRunError(error);
    context.reporter.error(`Unable to find image '${input.Config.Image}' locally`);
    await pullForRun(client, context, input.Config.Image, quiet);
    return createOnce(client, context, input).catch((retryError: unknown) => {
      throw asRunError(retryError);
    });
  }
}

async function createOnce(client: AgentClient, context: CommandContext, input: ContainerCreateInput) {
  const created = await client.containers.create.mutate(input);
  for (const warning of created.Warnings) context.reporter.error(`WARNING: ${warning}`);
  return created.Id;
}

async function pullForRun(client: AgentClient, context: CommandContext, image: string, quiet: boolean) {
  try {
    const { done } = await pullWithProgress(client, image, (line) => {
      if (!quiet) context.reporter.error(line);
    });
    if (!quiet)
      context.reporter.error(`Status: Downloaded newer image for ${done.image.RepoTags[0] ?? image}`);
  } catch (error) {
    throw asRunError(error);
  }
}

/** Docker's `run` and `create` exit 125 when the engine refuses. */
export const asRunError = (error: unknown) =>
  error instanceof OperationalError ? error : new OperationalError(describeError(error), 125);

export const createCommand: Command = {
  path: ['create'],
  usage: '[OPTIONS] IMAGE [COMMAND] [ARG...]',
  description: 'Create a new container',
  flags: CREATE_FLAGS,
  args: { min: 1, max: Number.POSITIVE_INFINITY },
  flagsEndAtFirstArg: true,
  async execute(context) {
    const id = await createContainer(context, createInputFromFlags(context, process.env));
    context.reporter.line(id);
    return 0;
  },
};
