import { rootCertificates } from 'node:tls';
import { Agent, type Dispatcher, interceptors } from 'undici';
import type { EndpointTls } from './hosts-config.js';

/**
 * HTTP agents per TLS setting: the default one (system CAs), and one per certs.d configuration. A
 * registry's own CA is added to the system CAs, as Docker's certs.d does, not used instead of them.
 */
export class Dispatchers {
  private readonly agents = new Map<string, Dispatcher>();

  for(tls?: EndpointTls): Dispatcher {
    const key =
      tls && (tls.ca || tls.skipVerify) ? `${tls.skipVerify ? 'skip' : 'verify'}|${tls.ca ?? ''}` : '';
    let agent = this.agents.get(key);
    if (!agent) {
      const connect =
        key === ''
          ? {}
          : {
              ...(tls?.ca ? { ca: [...rootCertificates, tls.ca] } : {}),
              rejectUnauthorized: !tls?.skipVerify,
            };
      agent = new Agent({ keepAliveTimeout: 30_000, connect }).compose(
        interceptors.redirect({ maxRedirections: 5 }),
      );
      this.agents.set(key, agent);
    }
    return agent;
  }

  async close(): Promise<void> {
    await Promise.all([...this.agents.values()].map((agent) => agent.close()));
    this.agents.clear();
  }
}
