import { parseByteSize, parseCpus, parseRestartPolicy, type ResourcesUpdate } from '@stevedore/shared';
import { type Command, stringFlag } from '../../command.js';
import { forEachArgument } from '../../each-argument.js';
import { OperationalError } from '../../errors.js';
import { integer, parseFlagValue } from '../../flag-values.js';
import { CREATE_FLAGS } from './create-flags.js';

const UPDATABLE = [
  'memory',
  'memory-swap',
  'memory-reservation',
  'cpus',
  'cpu-shares',
  'cpu-period',
  'cpu-quota',
  'cpuset-cpus',
  'cpuset-mems',
  'pids-limit',
  'blkio-weight',
  'restart',
];

export const updateCommand: Command = {
  path: ['update'],
  usage: '[OPTIONS] CONTAINER [CONTAINER...]',
  description: 'Update configuration of one or more containers',
  flags: CREATE_FLAGS.filter((flag) => UPDATABLE.includes(flag.name)),
  args: { min: 1, max: Number.POSITIVE_INFINITY },
  async execute(context) {
    const flag = (name: string) => stringFlag(context, name);
    const resources: ResourcesUpdate = {};
    const set = <K extends keyof ResourcesUpdate>(
      key: K,
      name: string,
      fn: (text: string) => ResourcesUpdate[K],
    ) => {
      const value = flag(name);
      if (value !== undefined) resources[key] = parseFlagValue(name, value, fn);
    };
    set('Memory', 'memory', parseByteSize);
    set('MemorySwap', 'memory-swap', (t) => (t === '-1' ? -1 : parseByteSize(t)));
    set('MemoryReservation', 'memory-reservation', parseByteSize);
    set('NanoCpus', 'cpus', parseCpus);
    set('CpuShares', 'cpu-shares', integer);
    set('CpuPeriod', 'cpu-period', integer);
    set('CpuQuota', 'cpu-quota', integer);
    set('CpusetCpus', 'cpuset-cpus', (t) => t);
    set('CpusetMems', 'cpuset-mems', (t) => t);
    set('PidsLimit', 'pids-limit', integer);
    set('BlkioWeight', 'blkio-weight', integer);
    set('RestartPolicy', 'restart', parseRestartPolicy);
    if (Object.keys(resources).length === 0) {
      throw new OperationalError('you must provide one or more flags when using this command');
    }
    return forEachArgument(context, async (client, container) => {
      const result = await client.containers.update.mutate({ container, resources });
      for (const warning of result.Warnings) context.reporter.error(`WARNING: ${warning}`);
    });
  },
};
