import { readFile } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import type { AgentHttpRequest } from '@stevedore/agent-api/archive-client';
import type { AgentConnectFailure, AgentConnection, AgentConnectionError } from '@stevedore/agent-api/client';
import { isStevedoreError } from '@stevedore/shared';
import { OperationalError } from './errors.js';

export interface AgentTarget {
  host: string;
  token?: string;
  /** Path of a PEM CA file to trust. */
  caFile?: string;
  /**
   * NODE_EXTRA_CA_CERTS as bin/stevedore hands it over (it unsets the variable, which Node would
   * otherwise read at every start): trusted with the system CAs for https:// agents.
   */
  extraCaFile?: string;
}

const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ENOENT',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ETIMEDOUT',
]);

/** Connects once; a CLI command fails fast instead of waiting for reconnects. */
export async function connectToAgent(target: AgentTarget): Promise<AgentConnection> {
  const ca = await trustedCa(target);
  const { agentWebSocketUrl, connectAgentOnce } = await import('@stevedore/agent-api/client');
  try {
    agentWebSocketUrl(target.host);
  } catch (error) {
    throw new OperationalError((error as Error).message);
  }
  try {
    return await connectAgentOnce({
      host: target.host,
      closeOnDrop: true,
      ...(target.token ? { token: target.token } : {}),
      ...(ca !== undefined ? { ca } : {}),
    });
  } catch (error) {
    throw new OperationalError(connectFailure(target.host, error as AgentConnectFailure));
  }
}

/** A streamed request to the agent's archive routes, with the CLI's messages for what goes wrong. */
export async function requestAgent(target: AgentTarget, request: AgentHttpRequest): Promise<IncomingMessage> {
  const ca = await trustedCa(target);
  const { agentHttpRequest } = await import('@stevedore/agent-api/archive-client');
  try {
    return await agentHttpRequest(
      {
        host: target.host,
        ...(target.token ? { token: target.token } : {}),
        ...(ca !== undefined ? { ca } : {}),
      },
      request,
    );
  } catch (error) {
    if (isStevedoreError(error)) {
      if (error.code === 'UNAUTHENTICATED')
        throw new OperationalError(connectFailure(target.host, { message: error.message, statusCode: 401 }));
      // The agent's error stays as the cause: a command may word it as Docker does (cp's lookup).
      throw Object.assign(new OperationalError(`Error response from daemon: ${error.message}`), {
        cause: error,
      });
    }
    const { message, code } = error as NodeJS.ErrnoException;
    throw new OperationalError(connectFailure(target.host, { message, ...(code ? { code } : {}) }));
  }
}

function connectFailure(host: string, error: AgentConnectionError): string {
  if (error.statusCode === 401) {
    return `Error response from daemon: unauthorized: the agent at ${host} needs a valid token (--token or STEVEDORE_TOKEN)`;
  }
  if (error.code === 'EACCES') {
    return `permission denied while trying to connect to the Stevedore agent socket at ${host}: ${error.message}`;
  }
  if (error.code && UNREACHABLE.has(error.code)) {
    return `Cannot connect to the Stevedore agent at ${host}. Is the agent running?`;
  }
  return `error during connect: ${host}: ${error.message}`;
}

async function trustedCa(target: AgentTarget): Promise<string | undefined> {
  if (target.caFile) return readCa(target.caFile);
  if (!target.extraCaFile || !/^(https|wss):\/\//.test(target.host)) return undefined;
  const { systemCasWith } = await import('./extra-ca.js');
  return systemCasWith(target.extraCaFile);
}

async function readCa(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new OperationalError(`could not read CA certificate "${file}": ${(error as Error).message}`);
  }
}
