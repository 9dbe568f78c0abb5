import { existsSync, writeFileSync } from 'node:fs';
import type { AgentClient } from '@stevedore/agent-api/client';
import {
  type ContainerCreateInput,
  familiarImageName,
  ociArchitecture,
  parseImageReference,
  parsePlatform,
} from '@stevedore/shared';
import { type Command, type CommandContext, stringFlag } from '../../command.js';
import { agentErrorContext, describeError, describePullError, OperationalError } from '../../errors.js';
import { parseFlagValue } from '../../flag-values.js';
import { familiar } from '../../format/familiar-name.js';
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
  const cidfile = stringFlag(context, 'cidfile');
  if (cidfile !== undefined) refuseExistingCidfile(cidfile);
  const platform = stringFlag(context, 'platform');
  if (platform !== undefined) await checkPlatform(client, platform);
  const id = await createPulling(client, context, input, policy, quiet);
  if (cidfile !== undefined) writeCidfile(cidfile, id);
  return id;
}

async function createPulling(
  client: AgentClient,
  context: CommandContext,
  input: ContainerCreateInput,
  policy: string,
  quiet: boolean,
): Promise<string> {
  if (policy === 'always') await pullForRun(client, context, input.Config.Image, quiet);
  try {
    return await createOnce(client, context, input);
  } catch (error) {
    if (policy !== 'missing' || agentErrorContext(error)?.missingImage !== true) throw asRunError(error);
    context.reporter.error(`Unable to find image '${shortName(input.Config.Image)}' locally`);
    await pullForRun(client, context, input.Config.Image, quiet);
    return createOnce(client, context, input).catch((retryError: unknown) => {
      throw asRunError(retryError);
    });
  }
}

/** Docker refuses to overwrite a `--cidfile`: another container may still be running under it. */
function refuseExistingCidfile(path: string): void {
  if (existsSync(path)) {
    throw new OperationalError(
      `Container ID file found, make sure the other container isn't running or delete ${path}`,
      125,
    );
  }
}

function writeCidfile(path: string, id: string): void {
  try {
    writeFileSync(path, id, { flag: 'wx' });
  } catch (error) {
    throw new OperationalError(
      `failed to write the container ID to the file: ${(error as Error).message}`,
      125,
    );
  }
}

/** `--platform`: the agent's own platform is accepted; it cannot run another's images. */
async function checkPlatform(client: AgentClient, text: string): Promise<void> {
  const wanted = parseFlagValue('platform', text, parsePlatform, 125);
  const info = await client.system.info.query();
  const architecture = ociArchitecture(info.Architecture);
  if (wanted.os !== 'linux' || (wanted.architecture !== '' && wanted.architecture !== architecture)) {
    throw new OperationalError(
      `platform ${text} is not supported: this host runs linux/${architecture} containers only, without emulation`,
      125,
    );
  }
}

async function createOnce(client: AgentClient, context: CommandContext, input: ContainerCreateInput) {
  const created = await client.containers.create.mutate(input);
  for (const warning of created.Warnings) context.reporter.error(`WARNING: ${warning}`);
  return created.Id;
}

/** Docker's short form of an image reference, with the tag it implies: `busybox:latest`. */
function shortName(image: string): string {
  try {
    return familiarImageName(parseImageReference(image));
  } catch {
    return image; // not a reference (an ID): shown as typed, the pull's own error says why
  }
}

async function pullForRun(client: AgentClient, context: CommandContext, image: string, quiet: boolean) {
  try {
    const { done } = await pullWithProgress(client, image, (line) => {
      if (!quiet) context.reporter.error(line);
    });
    if (!quiet)
      context.reporter.error(
        `Status: Downloaded newer image for ${familiar(done.image.RepoTags[0] ?? image)}`,
      );
  } catch (error) {
    throw error instanceof OperationalError
      ? error
      : new OperationalError(describePullError(error, shortName(image)), 125);
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
