import { readFileSync } from 'node:fs';
import {
  type HostConfig,
  type MountInput,
  parseAddHost,
  parseDevice,
  parseDnsSearch,
  parseDnsServer,
  parseMountSpec,
  parseSysctl,
} from '@stevedore/shared';
import type { FlagSpec } from '../../../util/argv.js';
import { type CommandContext, listFlag, stringFlag } from '../../command.js';
import { OperationalError } from '../../errors.js';
import { parseFlagValue } from '../../flag-values.js';

const list = (name: string, description: string): FlagSpec => ({ name, kind: 'list', description });
const str = (name: string, description: string): FlagSpec => ({
  name,
  kind: 'string',
  description,
  valueName: 'string',
});

/** Docker's `run`/`create` flags for DNS, hosts, mounts, devices, sysctls, groups and namespaces. */
export const RUN_OPTION_FLAGS: readonly FlagSpec[] = [
  list('add-host', 'Add a custom host-to-IP mapping (host:ip)'),
  list('dns', 'Set custom DNS servers'),
  list('dns-search', 'Set custom DNS search domains'),
  list('dns-option', 'Set DNS options'),
  list('mount', 'Attach a filesystem mount to the container'),
  list('device', 'Add a host device to the container'),
  list('sysctl', 'Sysctl options'),
  list('group-add', 'Add additional groups to join'),
  list('volumes-from', 'Mount volumes from the specified container(s)'),
  list('label-file', 'Read in a line delimited file of labels'),
  str('pid', 'PID namespace to use'),
  str('ipc', 'IPC mode to use'),
  str('uts', 'UTS namespace to use'),
  str('cidfile', 'Write the container ID to the file'),
  str('platform', 'Set platform if server is multi-platform capable'),
];

const parsed = <T>(flag: string, value: string, parse: (text: string) => T): T =>
  parseFlagValue(flag, value, parse, 125);

type RunOptions = Pick<
  HostConfig,
  | 'ExtraHosts'
  | 'Dns'
  | 'DnsSearch'
  | 'DnsOptions'
  | 'Devices'
  | 'Sysctls'
  | 'GroupAdd'
  | 'VolumesFrom'
  | 'PidMode'
  | 'UTSMode'
> & { Mounts: MountInput[]; IpcMode?: string };

/** The HostConfig part of these flags, with Docker's client-side checks (exit 125). */
export function runOptionsFromFlags(context: CommandContext): RunOptions {
  const values = (name: string) => listFlag(context, name);
  const mode = (flag: string, what: string, valid: RegExp): string => {
    const value = stringFlag(context, flag) ?? '';
    if (!valid.test(value)) throw new OperationalError(`--${flag}: invalid ${what} mode`, 125);
    return value;
  };
  const ipc = mode('ipc', 'IPC', /^$|^(none|private|shareable|host)$|^container:.+$/);
  return {
    ExtraHosts: values('add-host').map((value) => parsed('add-host', value, parseAddHost)),
    Dns: values('dns').map((value) => parsed('dns', value, parseDnsServer)),
    DnsSearch: values('dns-search').map((value) => parsed('dns-search', value, parseDnsSearch)),
    DnsOptions: values('dns-option'),
    Mounts: values('mount').map((value) => parsed('mount', value, parseMountSpec)),
    Devices: values('device').map((value) => parsed('device', value, parseDevice)),
    Sysctls: Object.fromEntries(values('sysctl').map((value) => parsed('sysctl', value, parseSysctl))),
    GroupAdd: values('group-add'),
    VolumesFrom: values('volumes-from'),
    PidMode: mode('pid', 'PID', /^$|^host$|^container:.+$/),
    ...(ipc === '' ? {} : { IpcMode: ipc }),
    UTSMode: mode('uts', 'UTS', /^$|^host$/),
  };
}

/** `--label-file` lines (blank lines and # comments skipped), before the `--label`s that override them. */
export function labelFileEntries(context: CommandContext): string[] {
  return listFlag(context, 'label-file').flatMap((file) => {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new OperationalError(
        `open ${file}: ${code === 'ENOENT' ? 'no such file or directory' : (error as Error).message}`,
        125,
      );
    }
    return text
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('#'));
  });
}
