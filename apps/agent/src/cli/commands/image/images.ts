import { humanSize, type ImageSummary, timeAgo } from '@stevedore/shared';
import { type Command, FILTER_FLAG, LIST_FORMAT_FLAG, listFlag, stringFlag } from '../../command.js';
import { repoTagRows } from '../../format/repo-tags.js';
import { formatValue } from '../../format/template-output.js';

interface ImageRow {
  Repository: string;
  Tag: string;
  ID: string;
  CreatedSince: string;
  Size: string;
}

function rowsOf(image: ImageSummary): ImageRow[] {
  const base = {
    ID: image.Id.slice('sha256:'.length, 'sha256:'.length + 12),
    CreatedSince: timeAgo(image.Created),
    Size: humanSize(image.Size),
  };
  return repoTagRows(image.RepoTags).map((names) => ({ ...base, ...names }));
}

export const imagesCommand: Command = {
  path: ['images'],
  usage: '[OPTIONS]',
  description: 'List images',
  flags: [
    FILTER_FLAG,
    LIST_FORMAT_FLAG,
    { name: 'quiet', short: 'q', kind: 'boolean', description: 'Only show image IDs' },
  ],
  args: { min: 0, max: 0 },
  async execute(context) {
    const images = await (await context.agent()).images.list.query({ filters: listFlag(context, 'filter') });
    const rows = images.flatMap(rowsOf);
    const format = stringFlag(context, 'format');
    if (context.flags.get('quiet')) {
      context.reporter.lines([...new Set(rows.map((row) => row.ID))]);
    } else if (format !== undefined) {
      for (const row of rows) context.reporter.line(formatValue(format, row));
    } else {
      context.reporter.table(
        ['REPOSITORY', 'TAG', 'IMAGE ID', 'CREATED', 'SIZE'],
        rows.map((row) => [row.Repository, row.Tag, row.ID, row.CreatedSince, row.Size]),
      );
    }
    return 0;
  },
};
