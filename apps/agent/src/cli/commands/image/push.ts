import { formatImageReference, type PushEvent, parseImageReference } from '@stevedore/shared';
import type { Command } from '../../command.js';
import { agentErrorCode, OperationalError } from '../../errors.js';
import { familiar } from '../../format/familiar-name.js';

export const pushCommand: Command = {
  path: ['push'],
  usage: '[OPTIONS] NAME[:TAG]',
  description: 'Upload an image to a registry',
  flags: [{ name: 'quiet', short: 'q', kind: 'boolean', description: 'Suppress verbose output' }],
  args: { min: 1, max: 1 },
  async execute(context) {
    const ref = parseImageReference(context.args[0] as string);
    const quiet = context.flags.get('quiet') === true;
    const repository = formatImageReference({ ...ref, tag: null, digest: null });
    if (!quiet && !hasTagOrDigest(context.args[0] as string))
      context.reporter.line('Using default tag: latest');
    if (!quiet) context.reporter.line(`The push refers to repository [${repository}]`);
    const client = await context.agent();
    const done = await new Promise<Extract<PushEvent, { type: 'done' }>>((resolve, reject) => {
      const shown = new Set<string>();
      const subscription = client.images.push.subscribe(
        { reference: context.args[0] as string },
        {
          onData: (event) => {
            if (event.type === 'done') {
              subscription.unsubscribe();
              resolve(event);
              return;
            }
            // One line per blob and final state, as Docker's non-terminal output gives.
            if (
              !quiet &&
              event.status !== 'Preparing' &&
              event.status !== 'Pushing' &&
              !shown.has(event.id)
            ) {
              shown.add(event.id);
              context.reporter.line(`${event.id}: ${event.status}`);
            }
          },
          // Docker prints the push's own failure as the daemon streamed it, without its prefix.
          onError: (error) =>
            reject(agentErrorCode(error) === null ? error : new OperationalError(error.message)),
        },
      );
    });
    if (quiet) context.reporter.line(familiar(done.tag));
    else context.reporter.line(`${ref.tag ?? 'latest'}: digest: ${done.digest} size: ${done.size}`);
    return 0;
  },
};

/** Whether a typed reference names its tag or digest (the parsed one always has a tag). */
const hasTagOrDigest = (typed: string) => typed.includes('@') || /:[^/]*$/.test(typed);
