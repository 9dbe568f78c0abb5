import type { Version } from '@stevedore/shared';
import { goArch } from '../../host/arch.js';
import { AGENT_VERSION, API_VERSION, gitCommit } from '../../system/version.js';
import { type Command, FORMAT_FLAG, stringFlag } from '../command.js';
import { versionView } from '../format/docker-view.js';
import { formatValue } from '../format/template-output.js';

const aligned = (indent: string, rows: [string, string][]) =>
  rows.map(([label, value]) => `${indent}${`${label}:`.padEnd(19 - indent.length)}${value}`);

export const versionCommand: Command = {
  path: ['version'],
  usage: '[OPTIONS]',
  description: 'Show the Stevedore version information',
  flags: [FORMAT_FLAG],
  args: { min: 0, max: 0 },
  async execute(context) {
    const client = {
      Version: AGENT_VERSION,
      ApiVersion: API_VERSION,
      NodeVersion: process.version,
      GitCommit: await gitCommit(),
      Os: 'linux',
      Arch: goArch(),
    };
    const format = stringFlag(context, 'format');
    if (format === undefined) {
      context.reporter.lines([
        'Client:',
        ...aligned(' ', [
          ['Version', client.Version],
          ['API version', client.ApiVersion],
          ['Node version', client.NodeVersion],
          ['Git commit', client.GitCommit],
          ['OS/Arch', `${client.Os}/${client.Arch}`],
        ]),
        '',
      ]);
    }
    // Like `docker version`: the client part is printed even when the agent cannot be reached.
    const server: Version = await (await context.agent()).system.version.query();
    if (format !== undefined) {
      context.reporter.line(formatValue(format, versionView(client, server)));
      return 0;
    }
    context.reporter.lines([
      'Server:',
      ' Engine:',
      ...aligned('  ', [
        ['Version', server.Version],
        ['API version', server.ApiVersion],
        ['Node version', server.NodeVersion],
        ['Git commit', server.GitCommit],
        ['OS/Arch', `${server.Os}/${server.Arch}`],
        ['Kernel version', server.KernelVersion],
      ]),
    ]);
    return 0;
  },
};
