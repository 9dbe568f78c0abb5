import { z } from 'zod';

/** The run form's fields, as typed (strings until they are turned into a create request). */
const KeyValueRow = z.object({ key: z.string(), value: z.string() });

export const ContainerFormShape = z.object({
  name: z.string(),
  image: z.string(),
  command: z.string(),
  entrypoint: z.string(),
  env: z.array(KeyValueRow),
  ports: z.array(
    z.object({
      hostIp: z.string(),
      hostPort: z.string(),
      containerPort: z.string(),
      protocol: z.enum(['tcp', 'udp']),
    }),
  ),
  volumes: z.array(z.object({ source: z.string(), target: z.string(), readOnly: z.boolean() })),
  tmpfs: z.array(z.object({ path: z.string(), options: z.string() })),
  network: z.string(),
  networkAliases: z.string(),
  ip: z.string(),
  restart: z.enum(['no', 'always', 'unless-stopped', 'on-failure']),
  restartRetries: z.string(),
  autoRemove: z.boolean(),
  labels: z.array(KeyValueRow),
  user: z.string(),
  workdir: z.string(),
  hostname: z.string(),
  capAdd: z.string(),
  capDrop: z.string(),
  privileged: z.boolean(),
  readOnly: z.boolean(),
  init: z.boolean(),
  tty: z.boolean(),
  interactive: z.boolean(),
  ulimits: z.array(z.object({ name: z.string(), soft: z.string(), hard: z.string() })),
  logDriver: z.enum(['k8s-file', 'json-file', 'local', 'none']),
  logOptions: z.array(KeyValueRow),
  memory: z.string(),
  memorySwap: z.string(),
  memoryReservation: z.string(),
  cpus: z.string(),
  cpuShares: z.string(),
  cpusetCpus: z.string(),
  cpusetMems: z.string(),
  pidsLimit: z.string(),
  blkioWeight: z.string(),
});
export type ContainerFormValues = z.infer<typeof ContainerFormShape>;
export type ContainerFormField = keyof ContainerFormValues;

export const EMPTY_FORM: ContainerFormValues = {
  name: '',
  image: '',
  command: '',
  entrypoint: '',
  env: [],
  ports: [],
  volumes: [],
  tmpfs: [],
  network: 'bridge',
  networkAliases: '',
  ip: '',
  restart: 'no',
  restartRetries: '',
  autoRemove: false,
  labels: [],
  user: '',
  workdir: '',
  hostname: '',
  capAdd: '',
  capDrop: '',
  privileged: false,
  readOnly: false,
  init: false,
  tty: false,
  interactive: false,
  ulimits: [],
  logDriver: 'k8s-file',
  logOptions: [],
  memory: '',
  memorySwap: '',
  memoryReservation: '',
  cpus: '',
  cpuShares: '',
  cpusetCpus: '',
  cpusetMems: '',
  pidsLimit: '',
  blkioWeight: '',
};

/** Human names of the fields, for the edit diff. */
export const FIELD_LABELS: Record<ContainerFormField, string> = {
  name: 'Name',
  image: 'Image',
  command: 'Command',
  entrypoint: 'Entrypoint',
  env: 'Environment',
  ports: 'Published ports',
  volumes: 'Volumes and binds',
  tmpfs: 'Tmpfs mounts',
  network: 'Network',
  networkAliases: 'Network aliases',
  ip: 'IPv4 address',
  restart: 'Restart policy',
  restartRetries: 'Restart retries',
  autoRemove: 'Remove when it exits',
  labels: 'Labels',
  user: 'User',
  workdir: 'Working directory',
  hostname: 'Hostname',
  capAdd: 'Capabilities added',
  capDrop: 'Capabilities dropped',
  privileged: 'Privileged',
  readOnly: 'Read-only root filesystem',
  init: 'Init process',
  tty: 'TTY',
  interactive: 'Keep stdin open',
  ulimits: 'Ulimits',
  logDriver: 'Log driver',
  logOptions: 'Log options',
  memory: 'Memory limit',
  memorySwap: 'Memory + swap',
  memoryReservation: 'Memory reservation',
  cpus: 'CPUs',
  cpuShares: 'CPU shares',
  cpusetCpus: 'CPU set',
  cpusetMems: 'Memory nodes',
  pidsLimit: 'PIDs limit',
  blkioWeight: 'Block I/O weight',
};

/** Fields a running container takes without a recreate: `update` (resources, restart) and `rename`. */
export const LIVE_FIELDS: ReadonlySet<ContainerFormField> = new Set<ContainerFormField>([
  'name',
  'restart',
  'restartRetries',
  'memory',
  'memorySwap',
  'memoryReservation',
  'cpus',
  'cpuShares',
  'cpusetCpus',
  'cpusetMems',
  'pidsLimit',
  'blkioWeight',
]);

/** `KEY=VALUE` lines of an env file (comments and blank lines skipped), as the CLI's --env-file reads them. */
export function parseEnvFile(text: string): Array<{ key: string; value: string }> {
  const rows: Array<{ key: string; value: string }> = [];
  for (const line of text.split(/\r?\n/)) {
    const trimmed = line.replace(/^\s+/, '');
    if (!trimmed || trimmed.startsWith('#')) continue;
    const body = trimmed.replace(/^export\s+/, '');
    const eq = body.indexOf('=');
    rows.push(
      eq < 0 ? { key: body.trim(), value: '' } : { key: body.slice(0, eq), value: body.slice(eq + 1) },
    );
  }
  return rows;
}
