import type { AgentClient } from '@stevedore/agent-api/client';
import {
  familiarImageName,
  formatImageReference,
  type PullEvent,
  parseImageReference,
} from '@stevedore/shared';
import type { Command } from '../../command.js';
import { describePullError, OperationalError } from '../../errors.js';

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
    const canonical = familiarImageName(ref);
    if (!quiet && !namesTagOrDigest(input)) context.reporter.line(`Using default tag: ${ref.tag}`);
    // As Docker: "Pulling from" once the registry has the manifest (the first event), never before.
    let announced = quiet;
    const announce = () => {
      if (!announced) context.reporter.line(`${ref.digest ?? ref.tag}: Pulling from ${ref.path}`);
      announced = true;
    };
    const client = await context.agent();
    const { done, downloaded } = await pullWithProgress(
      client,
      input,
      (line) => {
        if (!quiet) context.reporter.line(line);
      },
      announce,
    ).catch((error: unknown) => {
      throw new OperationalError(describePullError(error, canonical));
    });
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

/** Whether a reference as typed names its tag or digest (`busybox` does not: `latest` is implied). */
export const namesTagOrDigest = (input: string): boolean => /@|:[^/]*$/.test(input);

/**
 * Pulls over the agent's subscription; `progress` gets one line per layer state change, like
 * `docker pull` without a terminal. "Already exists" lines wait for the first layer that is not
 * there: an image whose layers are all present is up to date, and Docker prints no layer for it.
 */
export async function pullWithProgress(
  client: AgentClient,
  reference: string,
  progress: (line: string) => void,
  /** Called at the first event: the registry had the manifest. */
  found: () => void = () => {},
): Promise<{ done: Extract<PullEvent, { type: 'done' }>; downloaded: boolean }> {
  let downloaded = false;
  const present: string[] = [];
  const done = await new Promise<Extract<PullEvent, { type: 'done' }>>((resolve, reject) => {
    const subscription = client.images.pull.subscribe(
      { reference },
      {
        onData: (event) => {
          found();
          if (event.type === 'done') {
            resolve(event); // before unsubscribing: that completes the subscription
            subscription.unsubscribe();
            return;
          }
          const line = `${event.progress.id}: ${event.progress.status}`;
          if (event.progress.status === 'Already exists') {
            if (downloaded) progress(line);
            else present.push(line);
            return;
          }
          if (!downloaded) for (const held of present.splice(0)) progress(held);
          downloaded = true;
          if (event.progress.status !== 'Downloading') progress(line);
        },
        onError: reject,
        onComplete: () => reject(new Error('the agent ended the pull without a result')),
      },
    );
  });
  return { done, downloaded };
}
