import http from 'node:http';
import https from 'node:https';
import { type AgentConnectionError, connectAgentOnce } from '@stevedore/agent-api';

/** What an agent answers to a raw websocket upgrade: the HTTP status, or 101 when it upgraded. */
export function rawUpgradeStatus(url: string, headers: Record<string, string>, ca?: string): Promise<number> {
  const target = new URL(url);
  const request = (target.protocol === 'https:' ? https : http).request({
    host: target.hostname,
    port: target.port,
    path: '/',
    headers: {
      connection: 'Upgrade',
      upgrade: 'websocket',
      'sec-websocket-version': '13',
      'sec-websocket-key': Buffer.from('0123456789abcdef').toString('base64'),
      ...headers,
    },
    ...(ca ? { ca } : {}),
  });
  return new Promise((resolve, reject) => {
    request.once('upgrade', (_response, socket) => {
      socket.destroy();
      resolve(101);
    });
    request.once('response', (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    request.once('error', reject);
    request.end();
  });
}

/** Connects and resolves once open, or rejects with the first connection error. */
export const connectOnce = connectAgentOnce;

export type ConnectionFailure = Error & AgentConnectionError;
