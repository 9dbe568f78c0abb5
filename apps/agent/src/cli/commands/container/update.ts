import {
  parseByteSize,
  parseCpus,
  parseRestartPolicy,
  type ResourcesUpdate,
  ResourcesUpdateSchema,
} from '@stevedore/shared';
import { type Command, stringFlag } from '../../command.js';
import { forEachArgument } from '../../each-argument.js';
import { OperationalError } from '../../errors.js';
import { integer, parseFlagValue } from '../../flag-values.js';
import { CREATE_FLAGS } from './create-flags.js';

/**
 * How each limit is removed again. Docker reads 0 as "leave unchanged" for most of them, so -1
 * is the spelling that clears; where Docker has one (--memory-swap -1, --pids-limit -1) it is kept.
 */
const CLEARING: Record<string, string> = {
  memory: '-1 removes the limit; 0 leaves it unchanged',
  'memory-swap': '-1 for unlimited swap',
  'memory-reservation': '-1 removes it; 0 leaves it unchanged',
  cpus: '0 or -1 removes the CPU limit',
  'cpu-shares': '-1 back to the default (1024); 0 leaves them unchanged',
  'cpu-period': '-1 back to the default (100000); 0 leaves it unchanged',
  'cpu-quota': '-1 removes the quota; 0 leaves it unchanged',
  'cpuset-cpus': "'' allows every CPU again",
  'cpuset-mems': "'' allows every memory node again",
  'pids-limit': '0 or -1 removes the limit',
  'blkio-weight': '-1 back to the default; 0 leaves it unchanged',
};

export const UPDATE_FLAGS = CREATE_FLAGS.filter(
  (flag) => flag.name === 'restart' || flag.name in CLEARING,
).map((flag) => {
  const clearing = CLEARING[flag.name];
  if (!clearing) return flag;
  const base = flag.description
    .replace(/ \(set -1 for unlimited\)$/, '')
    .replace(/: '-1' to enable unlimited swap$/, '');
  return { ...flag, description: `${base} (${clearing})` };
});

/** A number flag where -1 clears (→ 0 in the API) and 0 leaves the value as it is (→ absent). */
const clearable =
  (parse: (text: string) => number) =>
  (text: string): number | undefined => {
    const trimmed = text.trim();
    if (trimmed === '-1') return 0;
    const value = parse(trimmed);
    return value === 0 ? undefined : value;
  };

/** The resources an `update` command line asks for; undefined values leave a limit unchanged. */
export function updateResourcesFromFlags(flag: (name: string) => string | undefined): {
  resources: ResourcesUpdate;
  given: number;
} {
  const resources: Record<string, unknown> = {};
  let given = 0;
  const set = <K extends keyof ResourcesUpdate>(
    key: K,
    name: string,
    fn: (text: string) => ResourcesUpdate[K] | undefined,
  ) => {
    const value = flag(name);
    if (value === undefined) return;
    given++;
    const parsed = parseFlagValue(name, value, fn);
    if (parsed !== undefined) resources[key] = parsed;
  };
  set('Memory', 'memory', clearable(parseByteSize));
  set('MemorySwap', 'memory-swap', (t) => (t.trim() === '-1' ? -1 : parseByteSize(t)));
  set('MemoryReservation', 'memory-reservation', clearable(parseByteSize));
  set('NanoCpus', 'cpus', (t) => (['0', '-1'].includes(t.trim()) ? 0 : parseCpus(t)));
  set('CpuShares', 'cpu-shares', clearable(integer));
  set('CpuPeriod', 'cpu-period', clearable(integer));
  set('CpuQuota', 'cpu-quota', clearable(integer));
  set('CpusetCpus', 'cpuset-cpus', (t) => t.trim());
  set('CpusetMems', 'cpuset-mems', (t) => t.trim());
  set('PidsLimit', 'pids-limit', (t) => {
    const value = integer(t.trim());
    return value <= 0 ? -1 : value;
  });
  set('BlkioWeight', 'blkio-weight', clearable(integer));
  set('RestartPolicy', 'restart', parseRestartPolicy);
  const checked = ResourcesUpdateSchema.safeParse(resources);
  if (!checked.success) {
    throw new OperationalError(
      checked.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; '),
    );
  }
  return { resources: checked.data, given };
}

export const updateCommand: Command = {
  path: ['update'],
  usage: '[OPTIONS] CONTAINER [CONTAINER...]',
  description: 'Update configuration of one or more containers (limits apply live; -1 removes a limit)',
  flags: UPDATE_FLAGS,
  args: { min: 1, max: Number.POSITIVE_INFINITY },
  async execute(context) {
    const { resources, given } = updateResourcesFromFlags((name) => stringFlag(context, name));
    if (given === 0) {
      throw new OperationalError('you must provide one or more flags when using this command');
    }
    return forEachArgument(context, async (client, container) => {
      const result = await client.containers.update.mutate({ container, resources });
      for (const warning of result.Warnings) context.reporter.error(`WARNING: ${warning}`);
    });
  },
};
