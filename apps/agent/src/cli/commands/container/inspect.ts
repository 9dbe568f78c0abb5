import type { ContainerInspect } from '@stevedore/shared';
import { type Command, type CommandContext, FORMAT_FLAG, stringFlag } from '../../command.js';
import { agentErrorContext, describeError, describeMissingOrError, OperationalError } from '../../errors.js';
import { dockerContainerView, dockerImageView } from '../../format/inspect-view.js';
import { printInspected } from '../../inspect-each.js';

type ObjectType = 'container' | 'image' | 'network' | 'volume';
const OBJECT_TYPES: readonly ObjectType[] = ['container', 'image', 'network', 'volume'];

/** `docker inspect`: containers first, then images, networks and volumes as Docker's order, a JSON array or one template line per object. */
export const inspectCommand: Command = {
  path: ['inspect'],
  usage: '[OPTIONS] NAME|ID [NAME|ID...]',
  description: 'Return low-level information on Stevedore objects',
  flags: [
    FORMAT_FLAG,
    {
      name: 'type',
      kind: 'string',
      valueName: 'string',
      description: 'Return JSON for specified type (container, image, network, volume)',
    },
  ],
  args: { min: 1, max: Number.POSITIVE_INFINITY },
  execute(context) {
    const type = stringFlag(context, 'type');
    if (type !== undefined && !OBJECT_TYPES.includes(type as ObjectType)) {
      throw new OperationalError(
        `"${type}" is not a valid value for --type: use container, image, network or volume`,
      );
    }
    return inspectObjects(context, type as ObjectType | undefined);
  },
};

/** `docker container inspect`: containers only. */
export const containerInspectCommand: Command = {
  path: ['container', 'inspect'],
  usage: '[OPTIONS] CONTAINER [CONTAINER...]',
  description: 'Display detailed information on one or more containers',
  flags: [FORMAT_FLAG],
  args: { min: 1, max: Number.POSITIVE_INFINITY },
  execute: (context) => inspectObjects(context, 'container'),
};

async function inspectObjects(context: CommandContext, type: ObjectType | undefined): Promise<number> {
  const client = await context.agent();
  // The runtime and cgroup version containers run with: asked once, only if a container is shown.
  let hostFacts: Promise<{ runtime: string; cgroupVersion: '1' | '2' }> | undefined;
  const containerView = async (container: ContainerInspect) => {
    hostFacts ??= client.system.info
      .query()
      .then((info) => ({ runtime: info.DefaultRuntime, cgroupVersion: info.CgroupVersion }));
    return dockerContainerView(container, await hostFacts);
  };
  const found: unknown[] = [];
  let code = 0;
  for (const name of context.args) {
    const lookups: (() => Promise<unknown>)[] = [];
    if (!type || type === 'container')
      lookups.push(async () => containerView(await client.containers.inspect.query({ container: name })));
    if (!type || type === 'image')
      lookups.push(async () => dockerImageView(await client.images.inspect.query({ image: name })));
    if (!type || type === 'network') lookups.push(() => client.networks.inspect.query({ network: name }));
    if (!type || type === 'volume') lookups.push(() => client.volumes.inspect.query({ name }));
    let object: unknown;
    let lastError: unknown;
    for (const lookup of lookups) {
      try {
        object = await lookup();
        break;
      } catch (error) {
        lastError = error;
        if (agentErrorContext(error) === null && !/No such|no such/.test(describeError(error))) throw error;
      }
    }
    if (object === undefined) {
      context.reporter.error(
        lastError && type ? describeMissingOrError(lastError) : `Error: No such object: ${name}`,
      );
      code = 1;
      continue;
    }
    found.push(object);
  }
  printInspected(context, found);
  return code;
}
