import {
  booleanFlag,
  type Command,
  FILTER_FLAG,
  LIST_FORMAT_FLAG,
  listFlag,
  stringFlag,
} from '../../command.js';
import { type ListColumns, listLines } from '../../format/table.js';
import { imageRows } from './image-rows.js';

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
    VirtualSize: 'SIZE',
    Containers: 'CONTAINERS',
    SharedSize: 'SHARED SIZE',
    UniqueSize: 'UNIQUE SIZE',
  },
  table: '{{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}',
};
const IMAGE_TABLE_WITH_DIGESTS =
  '{{.Repository}}\t{{.Tag}}\t{{.Digest}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}';

export const imagesCommand: Command = {
  path: ['images'],
  usage: '[OPTIONS] [REPOSITORY[:TAG]]',
  description: 'List images',
  flags: [
    {
      name: 'all',
      short: 'a',
      kind: 'boolean',
      description: 'Show all images (default hides intermediate images; Stevedore makes none)',
    },
    { name: 'digests', kind: 'boolean', description: 'Show digests' },
    FILTER_FLAG,
    LIST_FORMAT_FLAG,
    { name: 'no-trunc', kind: 'boolean', description: "Don't truncate output" },
    { name: 'quiet', short: 'q', kind: 'boolean', description: 'Only show image IDs' },
  ],
  args: { min: 0, max: 1 },
  async execute(context) {
    // `images REPO[:TAG]` is Docker's `--filter reference=REPO[:TAG]`.
    const filters = [...listFlag(context, 'filter'), ...context.args.map((name) => `reference=${name}`)];
    const images = await (await context.agent()).images.list.query({ filters });
    const digests = booleanFlag(context, 'digests');
    let format = stringFlag(context, 'format');
    const rows = images.flatMap((image) =>
      imageRows(image, {
        noTrunc: booleanFlag(context, 'no-trunc'),
        digests,
        digestShown: digests || (format?.includes('{{.Digest}}') ?? false),
      }),
    );
    if (booleanFlag(context, 'quiet')) {
      context.reporter.lines([...new Set(rows.map((row) => row.ID))]);
      return 0;
    }
    // Docker: --digests adds the column to a table of one's own that lacks it.
    if (digests && format?.startsWith('table ') && !format.includes('{{.Digest}}')) format += '\t{{.Digest}}';
    context.reporter.lines(
      listLines(
        format,
        rows,
        digests ? { ...IMAGE_COLUMNS, table: IMAGE_TABLE_WITH_DIGESTS } : IMAGE_COLUMNS,
      ),
    );
    return 0;
  },
};
