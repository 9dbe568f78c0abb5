import { createAgentClient } from '@stevedore/agent/client';
import type { ConnectAgent } from './agent-hub';

const MAX_RETRY_DELAY_MS = 30_000;

/** Connects the hub to an agent over its websocket API (unix socket or TLS + token). */
export const connectAgent: ConnectAgent = (target, events) =>
  createAgentClient({
    host: target.address,
    ...(target.token ? { token: target.token } : {}),
    ...(target.caCert ? { ca: target.caCert } : {}),
    // 0.5 s, 1 s, 2 s … capped at 30 s: quick to notice an agent restart, gentle on a dead host.
    retryDelayMs: (attempt) => Math.min(500 * 2 ** attempt, MAX_RETRY_DELAY_MS),
    onStateChange: (state) => {
      if (state.state === 'open') events.onOpen();
      else if (state.state === 'connecting' && state.error) {
        const { message, code, statusCode } = state.error;
        events.onClose(
          statusCode === 401 ? 'the agent refused the token (401)' : code ? `${code}: ${message}` : message,
        );
      }
    },
    onClose: () => events.onClose('connection closed'),
  });
