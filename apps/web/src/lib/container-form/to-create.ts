import {
  type ContainerCreate,
  type ContainerCreateInput,
  ContainerCreateSchema,
  ImageReferenceString,
  type PortBindings,
  PortBindingsSchema,
  parseByteSize,
  parseCpus,
  parseExposeSpec,
} from '@stevedore/shared';
import type { z } from 'zod';
import { healthcheckFromForm, healthFieldOf } from './health-fields';
import { splitShellWords } from './shell-words';
import { ContainerFormShape, type ContainerFormValues } from './values';

export interface FormIssue {
  /** A react-hook-form path: "memory", "ports.2.containerPort"; "root" for the whole form. */
  path: string;
  message: string;
}

const list = (text: string) =>
  text
    .split(/[\s,]+/)
    .map((part) => part.trim())
    .filter(Boolean);

/**
 * The create request the form describes, and what is wrong with it: units and shell words are
 * read here, then the request is checked by the engine's own schema (ContainerCreateSchema) and
 * each of its issues is put beside the field it came from.
 */
export function formToCreate(values: ContainerFormValues): {
  input: ContainerCreateInput;
  create: ContainerCreate | null;
  issues: FormIssue[];
} {
  const issues: FormIssue[] = [];
  const fail = (path: string, message: string) => issues.push({ path, message });
  const unit = <T>(path: string, text: string, parse: (t: string) => T, empty: T): T => {
    if (text.trim() === '') return empty;
    try {
      return parse(text.trim());
    } catch (error) {
      fail(path, (error as Error).message);
      return empty;
    }
  };
  const int = (text: string) => {
    if (!/^-?\d+$/.test(text)) throw new RangeError(`"${text}" is not a whole number`);
    return Number(text);
  };
  const words = (path: string, text: string): string[] | null => {
    if (text.trim() === '') return null;
    const split = splitShellWords(text);
    if ('error' in split) {
      fail(path, split.error);
      return null;
    }
    // `''` alone is an explicitly empty entrypoint (the CLI's --entrypoint ''), not one empty word.
    return split.words.length === 1 && split.words[0] === '' ? [] : split.words;
  };

  const portBindings: PortBindings = {};
  const portRowOfKey = new Map<string, number>();
  values.ports.forEach((row, index) => {
    const key = `${row.containerPort.trim()}/${row.protocol}`;
    const binding = { HostIp: row.hostIp.trim(), HostPort: row.hostPort.trim() };
    // Each row alone through the engine's schema, so the error lands on its own row.
    const checked = PortBindingsSchema.safeParse({ [key]: [binding] });
    if (!checked.success) {
      for (const issue of checked.error.issues) {
        const field = issue.path.includes('HostIp')
          ? 'hostIp'
          : issue.path.includes('HostPort')
            ? 'hostPort'
            : 'containerPort';
        fail(`ports.${index}.${field}`, issueMessage(issue));
      }
      return;
    }
    portRowOfKey.set(key, index);
    portBindings[key] = [...(portBindings[key] ?? []), binding];
  });

  const exposed = new Set(Object.keys(portBindings));
  for (const spec of list(values.expose)) {
    for (const key of unit('expose', spec, parseExposeSpec, [] as string[])) exposed.add(key);
  }
  const throttle = (path: 'deviceReadBps' | 'deviceWriteBps') =>
    list(values[path]).map((spec) => {
      const colon = spec.lastIndexOf(':');
      if (colon <= 0) {
        fail(path, `"${spec}" is not DEVICE:RATE such as /dev/sda:1mb`);
        return { Path: '/', Rate: 0 };
      }
      return { Path: spec.slice(0, colon), Rate: unit(path, spec.slice(colon + 1), parseByteSize, 0) };
    });
  const stopTimeout = unit('stopTimeout', values.stopTimeout, int, null as number | null);
  const network = values.network.trim() || 'bridge';
  const aliases = list(values.networkAliases);
  const ip = values.ip.trim();
  const retries = unit('restartRetries', values.restartRetries, int, 0);
  const pids = unit('pidsLimit', values.pidsLimit, int, null as number | null);
  const input: ContainerCreateInput = {
    ...(values.name.trim() ? { name: values.name.trim() } : {}),
    Config: {
      Image: values.image.trim(),
      Cmd: words('command', values.command),
      Entrypoint: words('entrypoint', values.entrypoint),
      Env: values.env
        .filter((row) => row.key !== '' || row.value !== '')
        .map((row) => `${row.key}=${row.value}`),
      WorkingDir: values.workdir.trim(),
      User: values.user.trim(),
      Hostname: values.hostname.trim(),
      Labels: Object.fromEntries(
        values.labels.filter((row) => row.key !== '').map((row) => [row.key, row.value]),
      ),
      Tty: values.tty,
      OpenStdin: values.interactive,
      ExposedPorts: Object.fromEntries([...exposed].map((key) => [key, {}])),
      ...(values.stopSignal.trim() ? { StopSignal: values.stopSignal.trim() } : {}),
      ...(stopTimeout !== null ? { StopTimeout: stopTimeout } : {}),
      ...healthcheckFromForm(values, fail),
    },
    HostConfig: {
      Binds: values.volumes
        .filter((row) => row.source !== '' || row.target !== '')
        .map(
          (row) =>
            `${row.source.trim() ? `${row.source.trim()}:` : ''}${row.target.trim()}${row.readOnly ? ':ro' : ''}`,
        ),
      Tmpfs: Object.fromEntries(
        values.tmpfs.filter((row) => row.path !== '').map((row) => [row.path.trim(), row.options.trim()]),
      ),
      ReadonlyRootfs: values.readOnly,
      CapAdd: list(values.capAdd).map((cap) => cap.toUpperCase()) as never,
      CapDrop: list(values.capDrop).map((cap) => cap.toUpperCase()) as never,
      Privileged: values.privileged,
      RestartPolicy: {
        Name: values.restart,
        MaximumRetryCount: values.restart === 'on-failure' ? retries : 0,
      },
      AutoRemove: values.autoRemove,
      Init: values.init,
      NetworkMode: network,
      PortBindings: portBindings,
      Memory: unit('memory', values.memory, parseByteSize, 0),
      MemorySwap: unit('memorySwap', values.memorySwap, (t) => (t === '-1' ? -1 : parseByteSize(t)), 0),
      MemoryReservation: unit('memoryReservation', values.memoryReservation, parseByteSize, 0),
      NanoCpus: unit('cpus', values.cpus, parseCpus, 0),
      CpuShares: unit('cpuShares', values.cpuShares, int, 0),
      CpusetCpus: values.cpusetCpus.trim(),
      CpusetMems: values.cpusetMems.trim(),
      PidsLimit: pids,
      BlkioWeight: unit('blkioWeight', values.blkioWeight, int, 0),
      CpuPeriod: unit('cpuPeriod', values.cpuPeriod, int, 0),
      CpuQuota: unit('cpuQuota', values.cpuQuota, int, 0),
      OomKillDisable: values.oomKillDisable,
      ShmSize: unit('shmSize', values.shmSize, parseByteSize, 0),
      BlkioDeviceReadBps: throttle('deviceReadBps'),
      BlkioDeviceWriteBps: throttle('deviceWriteBps'),
      PublishAllPorts: values.publishAll,
      SecurityOpt: list(values.securityOpt),
      Ulimits: values.ulimits
        .filter((row) => row.name !== '')
        .map((row, index) => ({
          Name: row.name as 'nofile',
          Soft: unit(`ulimits.${index}.soft`, row.soft, int, 0),
          Hard: unit(`ulimits.${index}.hard`, row.hard || row.soft, int, 0),
        })),
      LogConfig: {
        Type: values.logDriver,
        Config: Object.fromEntries(
          values.logOptions.filter((row) => row.key !== '').map((row) => [row.key, row.value]),
        ),
      },
    },
    NetworkingConfig: {
      EndpointsConfig:
        aliases.length > 0 || ip
          ? { [network]: { Aliases: aliases, IPAMConfig: ip ? { IPv4Address: ip } : {} } }
          : {},
    },
  };

  const image = values.image.trim();
  if (image !== '') {
    const reference = ImageReferenceString.safeParse(image);
    if (!reference.success) fail('image', reference.error.issues[0]?.message ?? 'not an image reference');
  }
  const parsed = ContainerCreateSchema.safeParse(input);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      fail(formPathOf(issue.path, values, portRowOfKey), issueMessage(issue));
    }
  }
  return { input, create: parsed.success && issues.length === 0 ? parsed.data : null, issues };
}

/** A record key's issue says only "Invalid key in record"; the key schema's own message is inside. */
function issueMessage(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_key' && issue.issues[0]) return issue.issues[0].message;
  return issue.message;
}

const CONFIG_FIELDS: Record<string, string> = {
  Image: 'image',
  Cmd: 'command',
  Entrypoint: 'entrypoint',
  WorkingDir: 'workdir',
  User: 'user',
  Hostname: 'hostname',
  Labels: 'labels',
  StopSignal: 'stopSignal',
  StopTimeout: 'stopTimeout',
  ExposedPorts: 'expose',
};
const HOST_FIELDS: Record<string, string> = {
  Memory: 'memory',
  MemorySwap: 'memorySwap',
  MemoryReservation: 'memoryReservation',
  NanoCpus: 'cpus',
  CpuShares: 'cpuShares',
  CpusetCpus: 'cpusetCpus',
  CpusetMems: 'cpusetMems',
  PidsLimit: 'pidsLimit',
  BlkioWeight: 'blkioWeight',
  CapAdd: 'capAdd',
  CapDrop: 'capDrop',
  RestartPolicy: 'restart',
  AutoRemove: 'autoRemove',
  NetworkMode: 'network',
  LogConfig: 'logOptions',
  Tmpfs: 'tmpfs',
  CpuPeriod: 'cpuPeriod',
  CpuQuota: 'cpuQuota',
  ShmSize: 'shmSize',
  BlkioDeviceReadBps: 'deviceReadBps',
  BlkioDeviceWriteBps: 'deviceWriteBps',
  SecurityOpt: 'securityOpt',
  PublishAllPorts: 'publishAll',
};

/** The form field an engine-schema issue belongs to. */
function formPathOf(
  path: readonly PropertyKey[],
  values: ContainerFormValues,
  portRowOfKey: Map<string, number>,
): string {
  const [top, field, index, sub] = path.map(String);
  if (top === 'name') return 'name';
  if (top === 'Config') {
    if (field === 'Env') {
      // Empty rows were skipped when building Env: count to the real row.
      const rows = values.env
        .map((row, i) => ({ row, i }))
        .filter(({ row }) => row.key !== '' || row.value !== '');
      return `env.${rows[Number(index)]?.i ?? 0}.key`;
    }
    if (field === 'Healthcheck') return healthFieldOf(index);
    return CONFIG_FIELDS[field ?? ''] ?? 'root';
  }
  if (top === 'HostConfig') {
    if (field === 'Binds') {
      const rows = values.volumes
        .map((row, i) => ({ row, i }))
        .filter(({ row }) => row.source !== '' || row.target !== '');
      return `volumes.${rows[Number(index)]?.i ?? 0}.target`;
    }
    if (field === 'Ulimits') {
      const rows = values.ulimits.map((row, i) => ({ row, i })).filter(({ row }) => row.name !== '');
      return `ulimits.${rows[Number(index)]?.i ?? 0}.name`;
    }
    if (field === 'PortBindings') return `ports.${portRowOfKey.get(index ?? '') ?? 0}.containerPort`;
    if (field === 'LogConfig' && index === 'Type') return 'logDriver';
    return HOST_FIELDS[field ?? ''] ?? 'root';
  }
  if (top === 'NetworkingConfig') {
    return sub === 'IPAMConfig' ? 'ip' : 'networkAliases';
  }
  return 'root';
}

/** The form's schema for react-hook-form: the field shapes, then every rule of the engine's schema. */
export const ContainerFormSchema = ContainerFormShape.superRefine((values, ctx) => {
  for (const issue of formToCreate(values).issues) {
    ctx.addIssue({
      code: 'custom',
      path: issue.path === 'root' ? [] : issue.path.split('.'),
      message: issue.message,
    });
  }
});

export type { ContainerFormValues };
export const formIssues = (values: unknown): z.ZodSafeParseResult<ContainerFormValues> =>
  ContainerFormSchema.safeParse(values);
