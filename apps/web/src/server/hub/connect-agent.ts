import { createAgentClient } from '@stevedore/agent-api';
import type { AgentConnection, ConnectAgent } from './agent-hub';
import { SshTunnel } from './ssh-tunnel';

const MAX_RETRY_DELAY_MS = 30_000;

/** Connects the hub to an agent over its websocket API: unix socket, TLS + token, or an SSH tunnel. */
export const connectAgent: ConnectAgent = (target, events) => {
  const tunnel = target.ssh ? new SshTunnel(target.ssh) : null;
  // The tunnel's local socket is bound synchronously; a first dial racing it is simply retried.
  tunnel?.listen().catch((error: Error) => events.onClose(`SSH tunnel: ${error.message}`));
  const http = {
    host: tunnel ? `unix://${tunnel.localSocket}` : target.address,
    ...(target.token ? { token: target.token } : {}),
    ...(target.caCert ? { ca: target.caCert } : {}),
  };
  const agent = createAgentClient({
    ...http,
    // 0.5 s, 1 s, 2 s … capped at 30 s: quick to notice an agent restart, gentle on a dead host.
    retryDelayMs: (attempt) => Math.min(500 * 2 ** attempt, MAX_RETRY_DELAY_MS),
    // The hub sends the heartbeats of all its connections from one timer (AgentHub.keepAlive).
    keepAlive: false,
    ...(events.onActivity ? { onMessage: events.onActivity } : {}),
    onStateChange: (state) => {
      if (state.state === 'open') events.onOpen();
      else if (state.state === 'connecting' && state.error) {
        const { message, code, statusCode } = state.error;
        // Through a tunnel, the websocket only sees its local connection closed; SSH knows why.
        const sshError = tunnel?.lastError;
        events.onClose(
          sshError
            ? `SSH: ${sshError.message}`
            : statusCode === 401
              ? 'the agent refused the token (401)'
              : code
                ? `${code}: ${message}`
                : message,
        );
      }
    },
    onClose: () => events.onClose('connection closed'),
  });
  const connection: AgentConnection = { ...agent, http };
  if (!tunnel) return connection;
  return {
    ...connection,
    close: async () => {
      try {
        await agent.close();
      } finally {
        await tunnel.close();
      }
    },
  };
};
