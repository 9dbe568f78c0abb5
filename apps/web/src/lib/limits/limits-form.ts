import {
  byteFlagValue,
  cpusFlagValue,
  type HostConfig,
  parseByteSize,
  parseCpus,
  type ResourcesUpdate,
  ResourcesUpdateSchema,
} from '@stevedore/shared';
import { ContainerFormShape, type ContainerFormValues } from '../container-form/values';

/**
 * The limits panel's form: the run form's own limit fields (same names, same units), turned into
 * an `update` and checked by the engine's schema (ResourcesUpdateSchema), each issue put beside the
 * field it came from. An empty field is "unlimited": the update clears that limit.
 */

export const LIMIT_TEXT_FIELDS = [
  'memory',
  'memorySwap',
  'memoryReservation',
  'cpus',
  'cpuShares',
  'cpusetCpus',
  'pidsLimit',
  'blkioWeight',
] as const;
export type LimitTextField = (typeof LIMIT_TEXT_FIELDS)[number];

export type LimitsFormValues = Pick<ContainerFormValues, LimitTextField | 'restart' | 'restartRetries'>;

/** What "unlimited" is in each field: empty, or -1 for swap (empty there means "twice the memory"). */
export const UNLIMITED_TEXT: Record<LimitTextField, string> = {
  memory: '',
  memorySwap: '-1',
  memoryReservation: '',
  cpus: '',
  cpuShares: '',
  cpusetCpus: '',
  pidsLimit: '',
  blkioWeight: '',
};

/** The form field each update field comes from, to put the engine schema's issues back beside it (the preset form's too). */
export const FORM_FIELD_OF: Record<string, LimitTextField | 'restart'> = {
  Memory: 'memory',
  MemorySwap: 'memorySwap',
  MemoryReservation: 'memoryReservation',
  NanoCpus: 'cpus',
  CpuShares: 'cpuShares',
  CpusetCpus: 'cpusetCpus',
  PidsLimit: 'pidsLimit',
  BlkioWeight: 'blkioWeight',
  RestartPolicy: 'restart',
};

export interface LimitsIssue {
  path: keyof LimitsFormValues;
  message: string;
}

export const wholeNumber = (text: string) => {
  if (!/^-?\d+$/.test(text)) throw new RangeError(`"${text}" is not a whole number`);
  return Number(text);
};

/** The full update the form describes (every limit, cleared ones as 0 / "" / -1), or its issues. */
export function limitsFormToUpdate(values: LimitsFormValues): {
  update: ResourcesUpdate | null;
  issues: LimitsIssue[];
} {
  const issues: LimitsIssue[] = [];
  const read = <T>(path: LimitTextField | 'restartRetries', parse: (text: string) => T, empty: T): T => {
    const text = values[path].trim();
    if (text === '') return empty;
    try {
      return parse(text);
    } catch (error) {
      issues.push({ path, message: (error as Error).message });
      return empty;
    }
  };
  const retries = read('restartRetries', wholeNumber, 0);
  const candidate = {
    Memory: read('memory', parseByteSize, 0),
    MemorySwap: read('memorySwap', (t) => (t === '-1' ? -1 : parseByteSize(t)), 0),
    MemoryReservation: read('memoryReservation', parseByteSize, 0),
    NanoCpus: read('cpus', (t) => (Number(t) === 0 ? 0 : parseCpus(t)), 0),
    CpuShares: read('cpuShares', wholeNumber, 0),
    CpusetCpus: values.cpusetCpus.trim(),
    PidsLimit: read('pidsLimit', wholeNumber, 0),
    BlkioWeight: read('blkioWeight', wholeNumber, 0),
    RestartPolicy: {
      Name: values.restart,
      MaximumRetryCount: values.restart === 'on-failure' ? retries : 0,
    },
  };
  const parsed = ResourcesUpdateSchema.safeParse(candidate);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const path = FORM_FIELD_OF[String(issue.path[0])] ?? 'memory';
      if (!issues.some((known) => known.path === path)) issues.push({ path, message: issue.message });
    }
  }
  return { update: issues.length === 0 && parsed.success ? parsed.data : null, issues };
}

/** The form's schema for react-hook-form's zod resolver: the run form's fields, checked as an update. */
export const LimitsFormSchema = ContainerFormShape.pick({
  memory: true,
  memorySwap: true,
  memoryReservation: true,
  cpus: true,
  cpuShares: true,
  cpusetCpus: true,
  pidsLimit: true,
  blkioWeight: true,
  restart: true,
  restartRetries: true,
}).superRefine((values, ctx) => {
  for (const issue of limitsFormToUpdate(values).issues) {
    ctx.addIssue({ code: 'custom', path: [issue.path], message: issue.message });
  }
});

/** The form filled from a container's configuration (HostConfig), as the run form fills it. */
export function limitsToForm(
  config: Pick<
    HostConfig,
    | 'Memory'
    | 'MemorySwap'
    | 'MemoryReservation'
    | 'NanoCpus'
    | 'CpuQuota'
    | 'CpuPeriod'
    | 'CpuShares'
    | 'CpusetCpus'
    | 'PidsLimit'
    | 'BlkioWeight'
    | 'RestartPolicy'
  >,
): LimitsFormValues {
  // A CFS quota set with --cpu-quota shows as CPUs; changing it writes NanoCpus (which clears the quota).
  const cpus =
    config.NanoCpus > 0
      ? cpusFlagValue(config.NanoCpus)
      : config.CpuQuota > 0
        ? String(Number((config.CpuQuota / (config.CpuPeriod || 100_000)).toFixed(3)))
        : '';
  const restart = config.RestartPolicy.Name === '' ? 'no' : config.RestartPolicy.Name;
  return {
    memory: config.Memory ? byteFlagValue(config.Memory) : '',
    memorySwap: config.MemorySwap === -1 ? '-1' : config.MemorySwap ? byteFlagValue(config.MemorySwap) : '',
    memoryReservation: config.MemoryReservation ? byteFlagValue(config.MemoryReservation) : '',
    cpus,
    cpuShares: config.CpuShares ? String(config.CpuShares) : '',
    cpusetCpus: config.CpusetCpus,
    pidsLimit: config.PidsLimit !== null && config.PidsLimit > 0 ? String(config.PidsLimit) : '',
    blkioWeight: config.BlkioWeight ? String(config.BlkioWeight) : '',
    restart,
    restartRetries:
      restart === 'on-failure' && config.RestartPolicy.MaximumRetryCount
        ? String(config.RestartPolicy.MaximumRetryCount)
        : '',
  };
}

/** Only what differs between two updates (what `update` should be sent). */
export function changedLimits(before: ResourcesUpdate, after: ResourcesUpdate): ResourcesUpdate {
  const changes: Record<string, unknown> = {};
  for (const key of Object.keys(after) as (keyof ResourcesUpdate)[]) {
    if (JSON.stringify(before[key]) !== JSON.stringify(after[key])) changes[key] = after[key];
  }
  return changes as ResourcesUpdate;
}
