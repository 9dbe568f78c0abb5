import { connectAgentOnce } from '@stevedore/agent-api';
import type { SystemInfo } from '@stevedore/shared';
import { StevedoreError } from '@stevedore/shared';
import type { ConnectionTarget } from '../services/host-targets';
import { SshTunnel } from './ssh-tunnel';

/** "Test connection": connects once, asks for system.info, and closes; fails with a readable reason. */
export async function probeAgent(target: ConnectionTarget, timeoutMs = 10_000): Promise<SystemInfo> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new StevedoreError('UNAVAILABLE', `no answer from ${target.address} within ${timeoutMs / 1000} s`),
        ),
      timeoutMs,
    );
  });
  const tunnel = target.ssh ? new SshTunnel(target.ssh) : null;
  const attempt = (async () => {
    if (tunnel) {
      await tunnel.listen();
      await tunnel.check();
    }
    const connection = await connectAgentOnce({
      host: tunnel ? `unix://${tunnel.localSocket}` : target.address,
      handshakeTimeoutMs: timeoutMs,
      ...(target.token ? { token: target.token } : {}),
      ...(target.caCert ? { ca: target.caCert } : {}),
    }).catch((error: Error & { statusCode?: number; code?: string }) => {
      const reason =
        error.statusCode === 401
          ? 'the agent refused the token (401)'
          : `${error.code ? `${error.code}: ` : ''}${error.message}`;
      throw new StevedoreError('UNAVAILABLE', `cannot connect to ${target.address}: ${reason}`, {
        address: target.address,
      });
    });
    try {
      return await connection.client.system.info.query();
    } finally {
      await connection.close();
    }
  })();
  try {
    return await Promise.race([attempt, timeout]);
  } finally {
    clearTimeout(timer);
    await tunnel?.close();
  }
}
