import type { SystemInfo } from '@stevedore/shared';

type IndexConfigs = NonNullable<SystemInfo['RegistryConfig']['IndexConfigs']>;

/**
 * `info`'s RegistryConfig.IndexConfigs as Docker builds it: Docker Hub (official, verified TLS,
 * with the configured mirrors) and one insecure entry per insecure registry named by host.
 */
export function indexConfigs(mirrors: readonly string[], insecureHosts: readonly string[]): IndexConfigs {
  const configs: IndexConfigs = {
    'docker.io': { Name: 'docker.io', Mirrors: [...mirrors], Secure: true, Official: true },
  };
  for (const host of insecureHosts)
    configs[host] = { Name: host, Mirrors: [], Secure: false, Official: false };
  return configs;
}

/** The proxies the agent's registry traffic uses, as Docker shows them: credentials masked. */
export function proxySettings(
  env: NodeJS.ProcessEnv,
): Pick<SystemInfo, 'HttpProxy' | 'HttpsProxy' | 'NoProxy'> {
  const pick = (name: string) => env[name] ?? env[name.toLowerCase()] ?? '';
  return {
    HttpProxy: maskProxyCredentials(pick('HTTP_PROXY')),
    HttpsProxy: maskProxyCredentials(pick('HTTPS_PROXY')),
    NoProxy: pick('NO_PROXY'),
  };
}

/** `http://user:secret@proxy:3128` → `http://xxxxx:xxxxx@proxy:3128`: info must not leak a password. */
export function maskProxyCredentials(proxy: string): string {
  let url: URL;
  try {
    url = new URL(proxy);
  } catch {
    return proxy;
  }
  if (url.username === '' && url.password === '') return proxy;
  if (url.username !== '') url.username = 'xxxxx';
  if (url.password !== '') url.password = 'xxxxx';
  return url.toString();
}
