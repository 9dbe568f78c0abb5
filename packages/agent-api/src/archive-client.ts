import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import type { Readable } from 'node:stream';
import { ErrorCodes, StevedoreError } from '@stevedore/shared';

export interface AgentHttpTarget {
  /** `unix:///path`, `tcp://ip:port` (TLS when `ca` is given, as Docker's --tlscacert) or `https://host:port`. */
  host: string;
  token?: string;
  ca?: string;
}

/** A request on the agent's HTTP archive routes (apps/agent/src/api/archive-routes.ts); a body is a tar stream. */
export interface AgentHttpRequest {
  method: 'GET' | 'POST' | 'PUT';
  path: string;
  body?: Readable;
}

/**
 * A plain HTTP request to the agent's archive routes, streamed both ways.
 * Resolves with the response once it is 200; another status becomes the agent's error.
 */
export async function agentHttpRequest(
  target: AgentHttpTarget,
  request: AgentHttpRequest,
): Promise<IncomingMessage> {
  const headers: Record<string, string> = target.token ? { authorization: `Bearer ${target.token}` } : {};
  if (request.body) headers['content-type'] = 'application/x-tar';
  const response = await new Promise<IncomingMessage>((resolve, reject) => {
    const options = { method: request.method, path: request.path, headers };
    const req = target.host.startsWith('unix://')
      ? http.request({ ...options, socketPath: target.host.slice('unix://'.length) }, resolve)
      : requestOverTcp(target, options, resolve);
    req.once('error', reject);
    if (request.body) {
      request.body.once('error', (error) => req.destroy(error));
      request.body.pipe(req);
    } else req.end();
  });
  if (response.statusCode === 200) return response;
  const text = await readText(response);
  let message = text.trim() || `HTTP ${response.statusCode}`;
  let code: (typeof ErrorCodes)[number] = response.statusCode === 401 ? 'UNAUTHENTICATED' : 'INTERNAL';
  try {
    const parsed = JSON.parse(text) as { message?: string; code?: string };
    if (parsed.message) message = parsed.message;
    if (ErrorCodes.includes(parsed.code as never)) code = parsed.code as typeof code;
  } catch {
    // not JSON: the text itself is the message
  }
  throw new StevedoreError(code, message);
}

function requestOverTcp(
  target: AgentHttpTarget,
  options: http.RequestOptions,
  onResponse: (response: IncomingMessage) => void,
): http.ClientRequest {
  const match = /^(tcp|https?):\/\/([^/]+)\/?$/.exec(target.host);
  if (!match) throw new StevedoreError('INVALID_ARGUMENT', `invalid agent address "${target.host}"`);
  const scheme = match[1] as string;
  const authority = match[2] as string;
  const url = new URL(`http://${authority}`);
  const where = { ...options, hostname: url.hostname.replace(/^\[|\]$/g, ''), port: Number(url.port) };
  const secure = scheme === 'https' || (scheme === 'tcp' && target.ca !== undefined);
  return secure
    ? https.request({ ...where, ...(target.ca ? { ca: target.ca } : {}) }, onResponse)
    : http.request(where, onResponse);
}

/** A (short) error answer's body as text. */
async function readText(response: IncomingMessage): Promise<string> {
  const parts: Buffer[] = [];
  for await (const chunk of response) parts.push(chunk as Buffer);
  return Buffer.concat(parts).toString('utf8');
}
