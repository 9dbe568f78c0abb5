import type { ContainerCreate, ResourcesUpdate } from '@stevedore/shared';
import { HEALTH_FIELD_LABELS, type HealthFormField } from './health-fields';
import { type ContainerFormField, type ContainerFormValues, FIELD_LABELS, LIVE_FIELDS } from './values';

export interface FieldChange {
  field: ContainerFormField;
  label: string;
  before: string;
  after: string;
  /** Applies to the container as it is (update, rename); otherwise it needs a recreate. */
  live: boolean;
}

function show(value: ContainerFormValues[ContainerFormField]): string {
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (typeof value === 'string') return value;
  return value
    .map((row) => {
      if ('containerPort' in row) {
        const host = [row.hostIp, row.hostPort].filter(Boolean).join(':');
        return `${host ? `${host} → ` : ''}${row.containerPort}/${row.protocol}`;
      }
      if ('target' in row)
        return `${row.source ? `${row.source}:` : ''}${row.target}${row.readOnly ? ':ro' : ''}`;
      if ('path' in row) return row.options ? `${row.path}:${row.options}` : row.path;
      if ('soft' in row) return `${row.name}=${row.soft}:${row.hard || row.soft}`;
      return `${row.key}=${row.value}`;
    })
    .join('\n');
}

/** What an edit changes, field by field, in the form's own words. */
export function diffForms(before: ContainerFormValues, after: ContainerFormValues): FieldChange[] {
  const changes: FieldChange[] = [];
  for (const field of Object.keys(FIELD_LABELS) as ContainerFormField[]) {
    const was = show(before[field]);
    const now = show(after[field]);
    if (was !== now)
      changes.push({
        field,
        label: FIELD_LABELS[field],
        before: was,
        after: now,
        live: LIVE_FIELDS.has(field),
      });
  }
  return changes;
}

export const needsRecreate = (changes: readonly FieldChange[]) => changes.some((change) => !change.live);

type Setter = (target: ContainerCreate, from: ContainerCreate) => void;
const config =
  <K extends keyof ContainerCreate['Config']>(key: K): Setter =>
  (target, from) => {
    target.Config[key] = from.Config[key];
  };
const host =
  <K extends keyof ContainerCreate['HostConfig']>(key: K): Setter =>
  (target, from) => {
    target.HostConfig[key] = from.HostConfig[key];
  };
const network: Setter = (target, from) => {
  target.HostConfig.NetworkMode = from.HostConfig.NetworkMode;
  target.NetworkingConfig = structuredClone(from.NetworkingConfig);
};

/** Every health field owns the whole Config.Healthcheck (the image's is already merged into it). */
const healthcheck: Setter = (target, from) => {
  if (from.Config.Healthcheck) target.Config.Healthcheck = from.Config.Healthcheck;
  else delete target.Config.Healthcheck;
};
const HEALTH_OWNS = Object.fromEntries(
  (Object.keys(HEALTH_FIELD_LABELS) as HealthFormField[]).map((field) => [field, healthcheck]),
) as Record<HealthFormField, Setter>;

/** Which parts of the create request each form field owns. */
const OWNS: Record<ContainerFormField, Setter> = {
  name: (target, from) => {
    if (from.name) target.name = from.name;
    else delete target.name;
  },
  image: config('Image'),
  command: config('Cmd'),
  entrypoint: config('Entrypoint'),
  env: config('Env'),
  ports: (target, from) => {
    target.HostConfig.PortBindings = from.HostConfig.PortBindings;
    // Ports stay exposed (the image may expose them); newly published ones are exposed too.
    target.Config.ExposedPorts = { ...target.Config.ExposedPorts, ...from.Config.ExposedPorts };
  },
  volumes: host('Binds'),
  tmpfs: host('Tmpfs'),
  network,
  networkAliases: network,
  ip: network,
  restart: host('RestartPolicy'),
  restartRetries: host('RestartPolicy'),
  autoRemove: host('AutoRemove'),
  labels: config('Labels'),
  user: config('User'),
  workdir: config('WorkingDir'),
  hostname: config('Hostname'),
  capAdd: host('CapAdd'),
  capDrop: host('CapDrop'),
  privileged: host('Privileged'),
  readOnly: host('ReadonlyRootfs'),
  init: host('Init'),
  tty: config('Tty'),
  interactive: config('OpenStdin'),
  ulimits: host('Ulimits'),
  logDriver: (target, from) => {
    target.HostConfig.LogConfig.Type = from.HostConfig.LogConfig.Type;
  },
  logOptions: (target, from) => {
    target.HostConfig.LogConfig.Config = from.HostConfig.LogConfig.Config;
  },
  memory: host('Memory'),
  memorySwap: host('MemorySwap'),
  memoryReservation: host('MemoryReservation'),
  cpus: (target, from) => {
    target.HostConfig.NanoCpus = from.HostConfig.NanoCpus;
    if (from.HostConfig.NanoCpus) Object.assign(target.HostConfig, { CpuPeriod: 0, CpuQuota: 0 });
  },
  cpuShares: host('CpuShares'),
  cpusetCpus: host('CpusetCpus'),
  cpusetMems: host('CpusetMems'),
  pidsLimit: host('PidsLimit'),
  blkioWeight: host('BlkioWeight'),
  cpuPeriod: host('CpuPeriod'),
  cpuQuota: host('CpuQuota'),
  oomKillDisable: host('OomKillDisable'),
  shmSize: host('ShmSize'),
  deviceReadBps: host('BlkioDeviceReadBps'),
  deviceWriteBps: host('BlkioDeviceWriteBps'),
  // The form lists every exposed port that is not published, so its set replaces the old one.
  expose: config('ExposedPorts'),
  publishAll: host('PublishAllPorts'),
  stopSignal: (target, from) => {
    if (from.Config.StopSignal) target.Config.StopSignal = from.Config.StopSignal;
    else delete target.Config.StopSignal;
  },
  stopTimeout: (target, from) => {
    if (from.Config.StopTimeout !== undefined) target.Config.StopTimeout = from.Config.StopTimeout;
    else delete target.Config.StopTimeout;
  },
  securityOpt: host('SecurityOpt'),
  ...HEALTH_OWNS,
};

/**
 * `base` (the container's full settings) with only the changed fields taken from `edited` (the
 * form's request): everything the form does not show, or that did not change, is kept as it was.
 */
export function overlayChanges(
  base: ContainerCreate,
  edited: ContainerCreate,
  fields: Iterable<ContainerFormField>,
): ContainerCreate {
  const result = structuredClone(base);
  const from = structuredClone(edited);
  for (const field of fields) OWNS[field](result, from);
  return result;
}

/** The `update` request for live changes (resources and restart policy), or null when none changed. */
export function liveUpdate(edited: ContainerCreate, changes: readonly FieldChange[]): ResourcesUpdate | null {
  const h = edited.HostConfig;
  const update: ResourcesUpdate = {};
  for (const { field } of changes) {
    if (field === 'memory') update.Memory = h.Memory;
    if (field === 'memorySwap') update.MemorySwap = h.MemorySwap;
    if (field === 'memoryReservation') update.MemoryReservation = h.MemoryReservation;
    if (field === 'cpus') update.NanoCpus = h.NanoCpus;
    if (field === 'cpuShares') update.CpuShares = h.CpuShares;
    if (field === 'cpusetCpus') update.CpusetCpus = h.CpusetCpus;
    if (field === 'cpusetMems') update.CpusetMems = h.CpusetMems;
    if (field === 'pidsLimit') update.PidsLimit = h.PidsLimit ?? -1;
    if (field === 'blkioWeight') update.BlkioWeight = h.BlkioWeight;
    if (field === 'cpuPeriod') update.CpuPeriod = h.CpuPeriod;
    if (field === 'cpuQuota') update.CpuQuota = h.CpuQuota;
    if (field === 'restart' || field === 'restartRetries') update.RestartPolicy = h.RestartPolicy;
  }
  return Object.keys(update).length > 0 ? update : null;
}
