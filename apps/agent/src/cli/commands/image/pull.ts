import {
  familiarImageName,
  formatImageReference,
  type PullEvent,
  parseImageReference,
} from '@stevedore/shared';
import type { Command } from '../../command.js';

export const pullCommand: Command = {
  path: ['pull'],
  usage: 'NAME[:TAG|@DIGEST]',
  description: 'Download an image from a registry',
  flags: [{ name: 'quiet', short: 'q', kind: 'boolean', description: 'Suppress verbose output' }],
  args: { min: 1, max: 1 },
  async execute(context) {
    const input = context.args[0]!;
    const ref = parseImageReference(input);
    const quiet = context.flags.get('quiet') === true;
    if (!quiet)
      context.reporter.line(
        `${ref.digest ?? ref.tag}: Pulling from ${familiarImageName({ ...ref, tag: null, digest: null })}`,
      );
    const client = await context.agent();
    let downloaded = false;
    const done = await new Promise<Extract<PullEvent, { type: 'done' }>>((resolve, reject) => {
      const subscription = client.images.pull.subscribe(
        { reference: input },
        {
          onData: (event) => {
            if (event.type === 'done') {
              resolve(event); // before unsubscribing: that completes the subscription
              subscription.unsubscribe();
            } else if (event.progress.status !== 'Already exists') downloaded = true;
            if (event.type === 'progress' && !quiet && event.progress.status !== 'Downloading') {
              // Like `docker pull` without a terminal: one line per layer state change.
              context.reporter.line(`${event.progress.id}: ${event.progress.status}`);
            }
          },
          onError: reject,
          onComplete: () => reject(new Error('the agent ended the pull without a result')),
        },
      );
    });
    const canonical = familiarImageName(ref);
    if (quiet) {
      context.reporter.line(canonical);
      return 0;
    }
    const digest = done.image.RepoDigests.find((d) => d.startsWith(`${ref.domain}/${ref.path}@`))?.split(
      '@',
    )[1];
    if (digest) context.reporter.line(`Digest: ${digest}`);
    context.reporter.line(
      `Status: ${downloaded ? 'Downloaded newer image' : 'Image is up to date'} for ${canonical}`,
    );
    context.reporter.line(formatImageReference(ref));
    return 0;
  },
};
