import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import {
  httpStatusFor,
  ImageLoadInput,
  ImageSaveInput,
  isStevedoreError,
  type SessionUser,
} from '@stevedore/shared';
import type { Logger } from 'pino';
import type { Services } from '../services/index';
import { isCrossSiteWrite } from './request-guard';

export const IMAGE_SAVE_PATH = '/api/images/save';
export const IMAGE_LOAD_PATH = '/api/images/load';

/**
 * GET /api/images/save?hostId=…&image=…[&image=…]: `docker save` as a tar download.
 * POST /api/images/load?hostId=…[&file=NAME]: `docker load` of the request body (a tar, any size),
 * answered with the loaded images as JSON.
 * Both stream through to the agent (never buffered here) and are for operators of the host (and
 * admins); viewers get 403. Errors are JSON `{ message, code }` with the matching status.
 */
export async function serveImageArchive(
  url: URL,
  req: IncomingMessage,
  res: ServerResponse,
  services: Services,
  user: SessionUser | null,
  log: Logger,
): Promise<void> {
  const save = url.pathname === IMAGE_SAVE_PATH;
  const method = save ? 'GET' : 'POST';
  if (req.method !== method) {
    answer(res, 405, { message: `use ${method}`, code: 'INVALID_ARGUMENT' }, { allow: method });
    return;
  }
  if (!save && isCrossSiteWrite(req)) {
    answer(res, 403, { message: 'cross-site request refused', code: 'PERMISSION_DENIED' });
    return;
  }
  if (!user) {
    answer(res, 401, { message: 'sign in first', code: 'UNAUTHENTICATED' });
    return;
  }
  const hostId = url.searchParams.get('hostId') ?? '';
  const input = save
    ? ImageSaveInput.safeParse({ hostId, images: url.searchParams.getAll('image') })
    : ImageLoadInput.safeParse({ hostId, file: url.searchParams.get('file') ?? '' });
  if (!input.success) {
    const issue = input.error.issues[0];
    answer(res, 400, {
      message: `${issue?.path.join('.') || 'input'}: ${issue?.message ?? 'invalid'}`,
      code: 'INVALID_ARGUMENT',
    });
    return;
  }
  if (!(await services.users.canOperate(user, hostId))) {
    answer(res, 403, {
      message: `you may not ${save ? 'save images from' : 'load images onto'} host ${hostId}: an operator grant is needed`,
      code: 'PERMISSION_DENIED',
    });
    return;
  }
  try {
    if (save) {
      const images = (input.data as ImageSaveInput).images;
      await services.imageArchives.save(user, { hostId, images }, async (archive) => {
        res.writeHead(200, {
          'content-type': 'application/x-tar',
          'content-disposition': `attachment; filename="${archiveFileName(images)}"`,
          'cache-control': 'no-store',
          'x-content-type-options': 'nosniff',
        });
        // A browser that cancels the download closes `res`, which ends the agent's archive too.
        await pipeline(archive, res);
      });
      return;
    }
    // An upload the browser abandons ends the body early: the agent refuses the torn archive.
    req.once('close', () => {
      if (!req.complete) req.destroy(new Error('the upload was cancelled before it ended'));
    });
    const loaded = await services.imageArchives.load(user, input.data as ImageLoadInput, req);
    answer(res, 200, { images: loaded });
  } catch (error) {
    const known = isStevedoreError(error);
    if (res.headersSent) {
      // Mid-download: all the browser can be told is that the file ended early.
      log.warn({ err: error, hostId, path: url.pathname }, 'image archive stream failed midway');
      res.destroy(error instanceof Error ? error : new Error(String(error)));
      return;
    }
    if (!known) log.error({ err: error, hostId, path: url.pathname }, 'image archive request failed');
    // A refused upload may still be arriving: drop the rest, then answer.
    if (!save && !req.complete) req.resume();
    answer(res, known ? httpStatusFor[error.code] : 500, {
      message: error instanceof Error ? error.message : String(error),
      code: known ? error.code : 'INTERNAL',
    });
  }
}

/** `busybox_latest.tar` for one image; `busybox_latest+2-more.tar` for three. */
export function archiveFileName(images: readonly string[]): string {
  const first = (images[0] ?? 'images')
    .replace(/^sha256:/, '')
    .replace(/[^\w.-]+/g, '_')
    .slice(0, 80);
  return images.length > 1 ? `${first}+${images.length - 1}-more.tar` : `${first}.tar`;
}

function answer(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res
    .writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers })
    .end(JSON.stringify(body));
}
