import type { LogLine } from '@stevedore/shared';
import { type Command, stringFlag } from '../../command.js';
import { describeMissingOrError, OperationalError } from '../../errors.js';

/** conmon writes `+00:00`; Docker prints RFC 3339 with nanoseconds and `Z`. */
const dockerTime = (time: string) => time.replace(/\+00:00$/, 'Z');

export const logsCommand: Command = {
  path: ['logs'],
  usage: '[OPTIONS] CONTAINER',
  description: 'Fetch the logs of a container',
  flags: [
    { name: 'follow', short: 'f', kind: 'boolean', description: 'Follow log output' },
    {
      name: 'tail',
      short: 'n',
      kind: 'string',
      valueName: 'string',
      description: 'Number of lines to show from the end of the logs',
      defaultText: '"all"',
    },
    {
      name: 'since',
      kind: 'string',
      valueName: 'string',
      description:
        'Show logs since timestamp (e.g. "2013-01-02T13:23:37Z") or relative (e.g. "42m" for 42 minutes)',
    },
    {
      name: 'until',
      kind: 'string',
      valueName: 'string',
      description:
        'Show logs before a timestamp (e.g. "2013-01-02T13:23:37Z") or relative (e.g. "42m" for 42 minutes)',
    },
    { name: 'timestamps', short: 't', kind: 'boolean', description: 'Show timestamps' },
  ],
  args: { min: 1, max: 1 },
  async execute(context) {
    const tailText = stringFlag(context, 'tail') ?? 'all';
    if (tailText !== 'all' && !/^\d+$/.test(tailText)) {
      throw new OperationalError(`invalid value for --tail: "${tailText}": use a number of lines or "all"`);
    }
    const timestamps = context.flags.get('timestamps') === true;
    const client = await context.agent();
    const format = (line: LogLine) =>
      `${timestamps ? `${dockerTime(line.time)} ` : ''}${line.text}${line.partial ? '' : '\n'}`;
    /** One write per run of lines of the same stream, in order. */
    const print = (lines: readonly LogLine[]) => {
      let start = 0;
      for (let end = 1; end <= lines.length; end++) {
        const stream = (lines[start] as LogLine).stream;
        if (end < lines.length && (lines[end] as LogLine).stream === stream) continue;
        const text = lines.slice(start, end).map(format).join('');
        if (stream === 'stdout') context.reporter.write(text);
        else context.reporter.writeError(text);
        start = end;
      }
    };
    await new Promise<void>((resolve, reject) => {
      client.containers.logs.subscribe(
        {
          container: context.args[0]!,
          follow: context.flags.get('follow') === true,
          tail: tailText === 'all' ? null : Number(tailText),
          since: stringFlag(context, 'since') ?? null,
          until: stringFlag(context, 'until') ?? null,
        },
        {
          onData: print,
          // Docker's client words a missing container itself: `Error: No such container: X`.
          onError: (error) => reject(new OperationalError(describeMissingOrError(error))),
          onComplete: resolve,
        },
      );
    });
    return 0;
  },
};
