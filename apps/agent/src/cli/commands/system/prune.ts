import { humanSize, type PruneReport } from '@stevedore/shared';
import type { Command, CommandContext } from '../../command.js';
import { confirm, FORCE_FLAG } from '../../confirm.js';
import { familiar } from '../../format/familiar-name.js';

const ALL_FLAG = {
  name: 'all',
  short: 'a',
  kind: 'boolean',
  description: 'Remove all unused images, not just dangling ones',
} as const;

function printReport(context: CommandContext, heading: string, report: PruneReport, lines: string[]): void {
  if (lines.length > 0) context.reporter.lines([heading, ...lines, '']);
  context.reporter.line(`Total reclaimed space: ${humanSize(report.spaceReclaimed)}`);
}

const imageLines = (report: PruneReport) => [
  ...report.untagged.map((name) => `untagged: ${familiar(name)}`),
  ...report.deleted.map((id) => `deleted: ${id}`),
];

export const containerPruneCommand: Command = {
  path: ['container', 'prune'],
  usage: '[OPTIONS]',
  description: 'Remove all stopped containers',
  flags: [FORCE_FLAG],
  args: { min: 0, max: 0 },
  async execute(context) {
    if (!(await confirm(context, 'WARNING! This will remove all stopped containers.'))) return 0;
    const report = await (await context.agent()).containers.prune.mutate();
    printReport(context, 'Deleted Containers:', report, report.deleted);
    return 0;
  },
};

export const imagePruneCommand: Command = {
  path: ['image', 'prune'],
  usage: '[OPTIONS]',
  description: 'Remove unused images',
  flags: [ALL_FLAG, FORCE_FLAG],
  args: { min: 0, max: 0 },
  async execute(context) {
    const all = context.flags.get('all') === true;
    const warning = all
      ? 'WARNING! This will remove all images without at least one container associated to them.'
      : 'WARNING! This will remove all dangling images.';
    if (!(await confirm(context, warning))) return 0;
    const report = await (await context.agent()).images.prune.mutate({ all });
    printReport(context, 'Deleted Images:', report, imageLines(report));
    return 0;
  },
};

export const volumePruneCommand: Command = {
  path: ['volume', 'prune'],
  usage: '[OPTIONS]',
  description: 'Remove unused local volumes',
  flags: [{ ...ALL_FLAG, description: 'Remove all unused volumes, not just anonymous ones' }, FORCE_FLAG],
  args: { min: 0, max: 0 },
  async execute(context) {
    const all = context.flags.get('all') === true;
    if (
      !(await confirm(
        context,
        'WARNING! This will remove anonymous local volumes not used by at least one container.',
      ))
    )
      return 0;
    const report = await (await context.agent()).volumes.prune.mutate({ all });
    printReport(context, 'Deleted Volumes:', report, report.deleted);
    return 0;
  },
};

export const systemPruneCommand: Command = {
  path: ['system', 'prune'],
  usage: '[OPTIONS]',
  description: 'Remove unused data',
  flags: [ALL_FLAG, { name: 'volumes', kind: 'boolean', description: 'Prune anonymous volumes' }, FORCE_FLAG],
  args: { min: 0, max: 0 },
  async execute(context) {
    const all = context.flags.get('all') === true;
    const volumes = context.flags.get('volumes') === true;
    const items = [
      '  - all stopped containers',
      '  - all networks not used by at least one container',
      ...(volumes ? ['  - all anonymous volumes not used by at least one container'] : []),
      all ? '  - all images without at least one container associated to them' : '  - all dangling images',
    ];
    if (!(await confirm(context, `WARNING! This will remove:\n${items.join('\n')}`))) return 0;
    const client = await context.agent();
    const containers = await client.containers.prune.mutate();
    const networks = await client.networks.prune.mutate();
    const removedVolumes = volumes ? await client.volumes.prune.mutate({ all: false }) : null;
    const images = await client.images.prune.mutate({ all });
    if (containers.deleted.length > 0)
      context.reporter.lines(['Deleted Containers:', ...containers.deleted, '']);
    if (networks.NetworksDeleted.length > 0)
      context.reporter.lines(['Deleted Networks:', ...networks.NetworksDeleted, '']);
    if (removedVolumes && removedVolumes.deleted.length > 0)
      context.reporter.lines(['Deleted Volumes:', ...removedVolumes.deleted, '']);
    if (imageLines(images).length > 0) context.reporter.lines(['Deleted Images:', ...imageLines(images), '']);
    const total = containers.spaceReclaimed + (removedVolumes?.spaceReclaimed ?? 0) + images.spaceReclaimed;
    context.reporter.line(`Total reclaimed space: ${humanSize(total)}`);
    return 0;
  },
};
