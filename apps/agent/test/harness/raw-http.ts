/** Raw HTTP/1.1 over the agent's unix socket or TCP port: for requests no HTTP client would send. */
import { connect, type Socket } from 'node:net';

export type RawTarget = { socketPath: string } | { port: number; host?: string };

export interface RawResponse {
  /** 0 when the agent closed the connection without an HTTP answer. */
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * Sends `head` (request line and headers, without the blank line) and then `body`, and reads
 * until the agent closes the connection (requests should say `Connection: close`) or the answer's
 * Content-Length has arrived.
 */
export function rawRequest(
  target: RawTarget,
  head: string,
  body: Buffer | string = '',
  timeoutMs = 15_000,
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket: Socket =
      'socketPath' in target
        ? connect({ path: target.socketPath })
        : connect({ port: target.port, host: target.host ?? '127.0.0.1' });
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(
        new Error(`no complete answer within ${timeoutMs} ms to ${JSON.stringify(head.split('\r\n')[0])}`),
      );
    }, timeoutMs);
    const finish = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(parse(Buffer.concat(chunks)));
    };
    socket.on('data', (chunk) => {
      chunks.push(chunk);
      const parsed = parse(Buffer.concat(chunks));
      const length = Number(parsed.headers['content-length'] ?? Number.NaN);
      if (parsed.status !== 0 && Number.isFinite(length) && Buffer.byteLength(parsed.body) >= length)
        finish();
    });
    // The agent may stop reading a refused body and close: what it answered still counts.
    socket.on('error', () => finish());
    socket.on('close', () => finish());
    socket.on('connect', () => {
      socket.write(`${head}\r\n\r\n`);
      if (body.length > 0) socket.write(body);
    });
  });
}

function parse(raw: Buffer): RawResponse {
  const text = raw.toString('latin1');
  const end = text.indexOf('\r\n\r\n');
  const status = /^HTTP\/1\.1 (\d{3})/.exec(text)?.[1];
  if (end < 0 || !status) return { status: 0, headers: {}, body: text };
  const headers: Record<string, string> = {};
  for (const line of text.slice(0, end).split('\r\n').slice(1)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return {
    status: Number(status),
    headers,
    body: raw.subarray(Buffer.byteLength(text.slice(0, end + 4), 'latin1')).toString('utf8'),
  };
}
