import type { IncomingMessage } from 'node:http';
import { type Readable, Transform } from 'node:stream';
import {
  type ImageLoadInput,
  type ImageSaveInput,
  type LoadedImages,
  LoadedImagesSchema,
  type SessionUser,
  StevedoreError,
} from '@stevedore/shared';
import type { Db } from '../db/client';
import { getHost } from '../db/repositories/hosts';
import type { AgentHub } from '../hub/agent-hub';
import { agentCall } from './agent-errors';
import { audited } from './audited';

/**
 * `docker save` and `docker load` from the browser, streamed through the web server to the host's
 * agent (its HTTP archive routes, on the hub's path to the host: directly or through the SSH
 * tunnel). Neither holds more than a socket buffer of the archive; both are audited.
 */
export class ImageArchiveService {
  constructor(
    private readonly db: Db,
    private readonly hub: AgentHub,
  ) {}

  /**
   * Opens the host's archive of `images` and hands it to `deliver` (which streams it to the
   * browser); audited once the delivery ends, however it ends. A missing image fails before
   * `deliver` is called, so the browser gets a plain error instead of a broken download.
   */
  async save(
    actor: SessionUser,
    input: ImageSaveInput,
    deliver: (archive: IncomingMessage) => Promise<void>,
  ): Promise<void> {
    await getHost(this.db, input.hostId);
    const query = input.images.map((name) => `names=${encodeURIComponent(name)}`).join('&');
    await audited(
      this.db,
      actor,
      {
        action: 'image.save',
        hostId: input.hostId,
        target: input.images.join(' '),
        params: { images: input.images },
      },
      async () => {
        const archive = await agentCall({ hostId: input.hostId, images: input.images }, () =>
          this.hub.httpRequest(input.hostId, { method: 'GET', path: `/images/get?${query}` }),
        );
        await deliver(archive);
      },
    );
  }

  /**
   * Streams `archive` (the browser's upload) to the host, which loads it all or nothing: a bad
   * tar or a full disk is the agent's refusal, with its message, and leaves no image behind.
   */
  async load(actor: SessionUser, input: ImageLoadInput, archive: Readable): Promise<LoadedImages> {
    await getHost(this.db, input.hostId);
    // The audit entry is written after the load, so it records every byte that arrived.
    const params = { file: input.file, bytes: 0 };
    const counted = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        params.bytes += chunk.length;
        callback(null, chunk);
      },
    });
    archive.once('error', (error) => counted.destroy(error));
    archive.pipe(counted);
    return audited(
      this.db,
      actor,
      {
        action: 'image.load',
        hostId: input.hostId,
        target: input.file || null,
        params,
      },
      async () => {
        const response = await agentCall({ hostId: input.hostId, file: input.file }, () =>
          this.hub.httpRequest(input.hostId, { method: 'POST', path: '/images/load', body: counted }),
        );
        const text = await readAll(response);
        const loaded = LoadedImagesSchema.safeParse(JSON.parse(text));
        if (!loaded.success) {
          throw new StevedoreError(
            'INTERNAL',
            `the agent answered the load with an unexpected shape: ${text.slice(0, 200)}`,
            {
              hostId: input.hostId,
            },
          );
        }
        return loaded.data;
      },
    );
  }
}

async function readAll(stream: Readable): Promise<string> {
  const parts: Buffer[] = [];
  for await (const chunk of stream) parts.push(chunk as Buffer);
  return Buffer.concat(parts).toString('utf8');
}
