import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';

export interface RequestTimeouts {
  /** How long a request's body may take to arrive in full (uploads excepted). */
  requestMs: number;
  /** How long an upload's body may go without a byte arriving. */
  uploadIdleMs: number;
}

/**
 * Node's own `requestTimeout` cannot spare one route, and an image upload may rightly take longer
 * than any fixed bound: so the server turns it off and bounds each request here instead.
 */
export const DEFAULT_REQUEST_TIMEOUTS: RequestTimeouts = { requestMs: 300_000, uploadIdleMs: 60_000 };

/** Closes the connection of a request whose body has not fully arrived within `ms`. */
export function limitRequestTime(req: IncomingMessage, res: ServerResponse, ms: number, log: Logger): void {
  const timer = setTimeout(() => {
    if (req.complete) return;
    log.debug({ url: req.url, ms }, 'request body not received in time: closing the connection');
    cutOff(req, res);
  }, ms);
  timer.unref();
  res.once('close', () => clearTimeout(timer));
}

/**
 * An upload runs as long as its bytes keep coming: the connection is closed once none has arrived
 * for `ms`. The bound ends with the body (the agent may then take its time to answer).
 */
export function limitUploadIdle(req: IncomingMessage, res: ServerResponse, ms: number, log: Logger): void {
  if (req.complete) return;
  const socket = req.socket;
  // Node emits the socket's idle timeout on the request while its body is incomplete.
  req.setTimeout(ms, () => {
    log.debug({ url: req.url, ms }, 'upload stalled: closing the connection');
    cutOff(req, res);
  });
  req.once('end', () => socket.setTimeout(0));
  // A refused upload is answered first and drained after: Node then arms its keep-alive timeout on
  // the socket, which the rest of the body must not get instead of this bound.
  res.once('finish', () => {
    if (!req.complete) socket.setTimeout(ms);
  });
}

function cutOff(req: IncomingMessage, res: ServerResponse): void {
  if (!res.headersSent) {
    res.writeHead(408, { 'content-type': 'text/plain', connection: 'close' }).end('request timed out\n');
  }
  req.socket.destroy();
}
