import { once } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ContainerRefSchema, HostIdInput, type SessionUser } from '@stevedore/shared';
import type { Logger } from 'pino';
import type { Services } from '../services/index';

export const LOG_DOWNLOAD_PATH = '/api/logs/download';

/**
 * GET /api/logs/download?hostId=…&container=…: a container's whole log as text, one
 * `<time> <stream> <text>` line each, streamed page by page from the agent. Each page is
 * written only once the client took the one before (backpressure), so memory stays at a page
 * whatever the log's size; a client that goes away stops the reading. Any signed-in user (the
 * viewer role and up) may download, as they may read the log in the viewer.
 */
export async function serveLogDownload(
  url: URL,
  req: IncomingMessage,
  res: ServerResponse,
  services: Services,
  user: SessionUser | null,
  log: Logger,
): Promise<void> {
  if (req.method !== 'GET') {
    res.writeHead(405, { allow: 'GET', 'content-type': 'text/plain' }).end('use GET\n');
    return;
  }
  if (!user) {
    res.writeHead(401, { 'content-type': 'text/plain' }).end('sign in first\n');
    return;
  }
  const host = HostIdInput.safeParse({ hostId: url.searchParams.get('hostId') ?? '' });
  const container = ContainerRefSchema.safeParse(url.searchParams.get('container') ?? '');
  if (!host.success || !container.success) {
    res.writeHead(400, { 'content-type': 'text/plain' }).end('hostId and container are required\n');
    return;
  }
  const abort = new AbortController();
  res.on('close', () => abort.abort());
  const lines = services.containerLogs.download(host.data.hostId, container.data, abort.signal);
  // The first page is read before the headers, so a missing host or container is a plain error.
  let first: IteratorResult<string>;
  try {
    first = await lines.next();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    res.writeHead(/NOT_FOUND|not found|no such/i.test(message) ? 404 : 502, { 'content-type': 'text/plain' });
    res.end(`cannot read the log: ${message}\n`);
    return;
  }
  const name = `${container.data.slice(0, 12).replace(/[^\w.-]/g, '_')}.log`;
  res.writeHead(200, {
    'content-type': 'text/plain; charset=utf-8',
    'content-disposition': `attachment; filename="${name}"`,
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  });
  try {
    if (!first.done && !res.write(first.value)) await drainOrClose(res);
    if (!first.done) {
      for await (const text of lines) {
        if (abort.signal.aborted) break;
        if (!res.write(text)) await drainOrClose(res);
      }
    }
    res.end();
  } catch (error) {
    // Headers are sent: the cut-off download is the client's sign; the cause goes to the log.
    log.warn({ err: error, host: host.data.hostId, container: container.data }, 'log download failed midway');
    res.destroy(error instanceof Error ? error : new Error(String(error)));
  }
}

async function drainOrClose(res: ServerResponse): Promise<void> {
  await Promise.race([once(res, 'drain'), once(res, 'close')]);
}
