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
 * The engine (or the pull, or the cidfile) refused the create: `docker run` exits 125 then,
 * `docker create` 1 (it returns the error as is; only its option checks exit 125).
 */
export class CreateRefusal extends OperationalError {
  constructor(message: string) {
    super(message, 125);
  }
}

/**
 * Creates the container, pulling the image first when it is missing (`--pull missing`, Docker's
 * default), always, or never. Refusals are CreateRefusals (exit 125, as `docker run`'s).
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
    throw new CreateRefusal(
      `Container ID file found, make sure the other container isn't running or delete ${path}`,
    );
  }
}

function writeCidfile(path: string, id: string): void {
  try {
    writeFileSync(path, id, { flag: 'wx' });
  } catch (error) {
    throw new CreateRefusal(`failed to write the container ID to the file: ${(error as Error).message}`);
  }
}

/** `--platform`: the agent's own platform is accepted; it cannot run another's images. */
async function checkPlatform(client: AgentClient, text: string): Promise<void> {
  const wanted = parseFlagValue('platform', text, parsePlatform, 125);
  const info = await client.system.info.query();
  const architecture = ociArchitecture(info.Architecture);
  if (wanted.os !== 'linux' || (wanted.architecture !== '' && wanted.architecture !== architecture)) {
    throw new CreateRefusal(
      `platform ${text} is not supported: this host runs linux/${architecture} containers only, without emulation`,
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
      : new CreateRefusal(describePullError(error, shortName(image)));
  }
}

/** An engine error as a CreateRefusal; the CLI's own errors pass as they are. */
export const asRunError = (error: unknown) =>
  error instanceof OperationalError ? error : new CreateRefusal(describeError(error));

export const createCommand: Command = {
  path: ['create'],
  usage: '[OPTIONS] IMAGE [COMMAND] [ARG...]',
  description: 'Create a new container',
  flags: CREATE_FLAGS,
  args: { min: 1, max: Number.POSITIVE_INFINITY },
  flagsEndAtFirstArg: true,
  async execute(context) {
    const id = await createContainer(context, createInputFromFlags(context, process.env)).catch(
      (error: unknown) => {
        throw error instanceof CreateRefusal ? new OperationalError(error.message, 1) : error;
      },
    );
    context.reporter.line(id);
    return 0;
  },
};
