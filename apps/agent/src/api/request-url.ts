import type { IncomingMessage, ServerResponse } from 'node:http';
import { StevedoreError } from '@stevedore/shared';

/**
 * The request's URL, or INVALID_ARGUMENT. Node's HTTP parser lets through request targets that the
 * WHATWG URL parser refuses (`//[`, `http://a b/`), and a Host header that is not a host; both
 * reach this point from any client, so they are input errors, never exceptions that escape.
 */
export function requestUrl(req: Pick<IncomingMessage, 'url' | 'headers'>): URL {
  const target = req.url ?? '/';
  let url: URL;
  try {
    url = new URL(target, 'http://agent');
  } catch {
    throw new StevedoreError('INVALID_ARGUMENT', `malformed request URL: ${printable(target)}`, {
      url: printable(target),
    });
  }
  // tRPC's websocket adapter builds the URL with the Host header as its base; check it the same way.
  const host = req.headers.host;
  if (host !== undefined) {
    try {
      new URL(target, `http://${host}`);
    } catch {
      throw new StevedoreError('INVALID_ARGUMENT', `malformed Host header: ${printable(host)}`, {
        host: printable(host),
      });
    }
  }
  return url;
}

/** A percent-decoded path segment, or INVALID_ARGUMENT naming what it was (`%ZZ` is not an escape). */
export function decodePathSegment(segment: string, what: string): string {
  let decoded: string;
  try {
    decoded = decodeURIComponent(segment);
  } catch {
    throw new StevedoreError(
      'INVALID_ARGUMENT',
      `malformed percent-encoding in the ${what}: ${printable(segment)}`,
      {
        [what]: printable(segment),
      },
    );
  }
  if (decoded.includes('\0')) {
    throw new StevedoreError('INVALID_ARGUMENT', `the ${what} must not contain NUL bytes`);
  }
  return decoded;
}

/** At most 200 characters of client text, control characters escaped, for messages and logs. */
export function printable(text: string): string {
  const shown = text.length > 200 ? `${text.slice(0, 200)}…` : text;
  let out = '';
  for (const c of shown) {
    const code = c.charCodeAt(0);
    out += code < 0x20 || code === 0x7f ? `\\x${code.toString(16).padStart(2, '0')}` : c;
  }
  return out;
}

/** What is read and dropped of a request body the agent refused, before it answers anyway. */
const DISCARD_LIMIT_BYTES = 1 << 20;
const DISCARD_WAIT_MS = 5_000;

/**
 * Reads and drops the rest of a refused request's body before the answer is sent: a connection
 * closed with unread bytes is reset by the kernel, and a client still sending would lose the
 * answer. Past DISCARD_LIMIT_BYTES or DISCARD_WAIT_MS the answer goes out with `Connection:
 * close` instead (the client may then see only the reset).
 */
export function discardBody(req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.complete || req.readableEnded) return Promise.resolve();
  return new Promise((resolve) => {
    let dropped = 0;
    const done = (drained: boolean) => {
      clearTimeout(timer);
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('close', onEnd);
      if (!drained) {
        req.pause();
        res.setHeader('connection', 'close');
      }
      resolve();
    };
    const onData = (chunk: Buffer) => {
      dropped += chunk.length;
      if (dropped > DISCARD_LIMIT_BYTES) done(false);
    };
    const onEnd = () => done(true);
    const timer = setTimeout(() => done(false), DISCARD_WAIT_MS);
    req.on('data', onData);
    req.once('end', onEnd);
    req.once('close', onEnd);
    req.resume();
  });
}
