import type { AgentClient } from '@stevedore/agent-api/client';
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
    const { done, downloaded } = await pullWithProgress(client, input, (line) => {
      if (!quiet) context.reporter.line(line);
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

/**
 * Pulls over the agent's subscription; `progress` gets one line per layer state change, like
 * `docker pull` without a terminal.
 */
export async function pullWithProgress(
  client: AgentClient,
  reference: string,
  progress: (line: string) => void,
): Promise<{ done: Extract<PullEvent, { type: 'done' }>; downloaded: boolean }> {
  let downloaded = false;
  const done = await new Promise<Extract<PullEvent, { type: 'done' }>>((resolve, reject) => {
    const subscription = client.images.pull.subscribe(
      { reference },
      {
        onData: (event) => {
          if (event.type === 'done') {
            resolve(event); // before unsubscribing: that completes the subscription
            subscription.unsubscribe();
            return;
          }
          if (event.progress.status !== 'Already exists') downloaded = true;
          if (event.progress.status !== 'Downloading')
            progress(`${event.progress.id}: ${event.progress.status}`);
        },
        onError: reject,
        onComplete: () => reject(new Error('the agent ended the pull without a result')),
      },
    );
  });
  return { done, downloaded };
}
