import { humanSize, type ImageSummary, timeAgo } from '@stevedore/shared';
import { type Command, FILTER_FLAG, LIST_FORMAT_FLAG, listFlag, stringFlag } from '../../command.js';
import { repoTagRows } from '../../format/repo-tags.js';
import { type ListColumns, listLines } from '../../format/table.js';

interface ImageRow {
  Repository: string;
  Tag: string;
  ID: string;
  CreatedSince: string;
  Size: string;
}

/** Docker's `images` columns: the header of each field and the default table. */
export const IMAGE_COLUMNS: ListColumns = {
  headers: {
    ID: 'IMAGE ID',
    Repository: 'REPOSITORY',
    Tag: 'TAG',
    Digest: 'DIGEST',
    CreatedSince: 'CREATED',
    CreatedAt: 'CREATED AT',
    Size: 'SIZE',
  },
  table: '{{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}',
};

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
    } else {
      context.reporter.lines(listLines(format, rows, IMAGE_COLUMNS));
    }
    return 0;
  },
};
