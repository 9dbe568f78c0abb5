import type { EngineEvent } from '@stevedore/shared';
import { type Command, LIST_FORMAT_FLAG, listFlag, stringFlag } from '../command.js';
import { formatValue, stopOnThrow } from '../format/template-output.js';

/** Docker's default line: `<time> <type> <action> <id> (key=value, ...)`, attributes sorted. */
export function eventLine(event: EngineEvent): string {
  const nanos = BigInt(event.timeNano);
  const iso = new Date(Number(nanos / 1_000_000n)).toISOString().replace(/\.\d+Z$/, '');
  const fraction = String(nanos % 1_000_000_000n).padStart(9, '0');
  const attributes = Object.entries(event.Actor.Attributes)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
  return `${iso}.${fraction}Z ${event.Type} ${event.Action} ${event.Actor.ID}${attributes ? ` (${attributes})` : ''}`;
}

/**
 * An event as `docker events --format` sees it: Docker's legacy `status`, `id` and `from` for
 * container and image events, and `timeNano` a number (a bigint: beyond 2^53).
 */
export function dockerEventView(event: EngineEvent): Record<string, unknown> {
  const legacy =
    event.Type === 'container' || event.Type === 'image'
      ? {
          status: event.Action,
          id: event.Actor.ID,
          ...(event.Type === 'container' && event.Actor.Attributes.image !== undefined
            ? { from: event.Actor.Attributes.image }
            : {}),
        }
      : {};
  return { ...legacy, ...event, timeNano: BigInt(event.timeNano) };
}

export const eventsCommand: Command = {
  path: ['events'],
  usage: '[OPTIONS]',
  description: 'Get real time events from the agent',
  flags: [
    {
      name: 'since',
      kind: 'string',
      valueName: 'string',
      description: 'Show all events created since timestamp',
    },
    { name: 'until', kind: 'string', valueName: 'string', description: 'Stream events until this timestamp' },
    { name: 'filter', short: 'f', kind: 'list', description: 'Filter output based on conditions provided' },
    LIST_FORMAT_FLAG,
  ],
  args: { min: 0, max: 0 },
  async execute(context) {
    const client = await context.agent();
    const format = stringFlag(context, 'format');
    await new Promise<void>((resolve, reject) => {
      const subscription = client.events.stream.subscribe(
        {
          since: stringFlag(context, 'since') ?? null,
          until: stringFlag(context, 'until') ?? null,
          filters: listFlag(context, 'filter'),
        },
        {
          // A template that fails on an event (an unknown field) ends the command with its message.
          onData: (event) =>
            stopOnThrow(subscription, reject, () =>
              context.reporter.line(
                format !== undefined ? formatValue(format, dockerEventView(event)) : eventLine(event),
              ),
            ),
          onError: reject,
          onComplete: resolve,
        },
      );
    });
    return 0;
  },
};
