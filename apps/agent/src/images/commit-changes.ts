import { type ImageConfig, StevedoreError } from '@stevedore/shared';

type RuntimeConfig = NonNullable<ImageConfig['config']>;

const refuse = (change: string, why: string) =>
  new StevedoreError('INVALID_ARGUMENT', `invalid change "${change}": ${why}`, { change });

/** `["a","b"]` (exec form) or `a b` (shell form, run by /bin/sh -c), as a Dockerfile reads them. */
function commandOf(change: string, rest: string): string[] {
  if (rest.startsWith('[')) {
    try {
      const parsed = JSON.parse(rest) as unknown;
      if (Array.isArray(parsed) && parsed.every((part) => typeof part === 'string')) return parsed;
    } catch {
      // Not JSON: refused just below, with what the exec form must be.
    }
    throw refuse(change, 'the exec form must be a JSON array of strings');
  }
  return ['/bin/sh', '-c', rest];
}

/** `KEY=VALUE KEY2="two words"` or the legacy `KEY VALUE`. */
function pairsOf(change: string, rest: string): [string, string][] {
  if (!rest.includes('=')) {
    const [key, ...value] = rest.split(/\s+/);
    if (!key || value.length === 0) throw refuse(change, 'use KEY=VALUE');
    return [[key, value.join(' ')]];
  }
  const pairs: [string, string][] = [];
  const pattern = /([^\s=]+)=("(?:[^"\\]|\\.)*"|\S*)/g;
  for (const match of rest.matchAll(pattern)) {
    const raw = match[2]!;
    pairs.push([match[1]!, raw.startsWith('"') ? (JSON.parse(raw) as string) : raw]);
  }
  if (pairs.length === 0) throw refuse(change, 'use KEY=VALUE');
  return pairs;
}

/**
 * `docker commit -c`: Dockerfile instructions that change the new image's config
 * (CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, USER, VOLUME, WORKDIR, STOPSIGNAL).
 */
export function applyChanges(config: RuntimeConfig, changes: readonly string[]): RuntimeConfig {
  const next: RuntimeConfig = { ...config };
  for (const change of changes) {
    const match = /^\s*([A-Za-z]+)\s+(.+?)\s*$/.exec(change);
    if (!match) throw refuse(change, 'use INSTRUCTION ARGUMENTS, e.g. CMD ["sh"]');
    const instruction = match[1]!.toUpperCase();
    const rest = match[2]!;
    switch (instruction) {
      case 'CMD':
        next.Cmd = commandOf(change, rest);
        break;
      case 'ENTRYPOINT':
        next.Entrypoint = commandOf(change, rest);
        break;
      case 'ENV': {
        const env = [...(next.Env ?? [])];
        for (const [key, value] of pairsOf(change, rest)) {
          const index = env.findIndex((entry) => entry.split('=', 1)[0] === key);
          if (index >= 0) env[index] = `${key}=${value}`;
          else env.push(`${key}=${value}`);
        }
        next.Env = env;
        break;
      }
      case 'LABEL':
        next.Labels = { ...(next.Labels ?? {}), ...Object.fromEntries(pairsOf(change, rest)) };
        break;
      case 'EXPOSE': {
        const ports = { ...(next.ExposedPorts ?? {}) };
        for (const port of rest.split(/\s+/)) {
          if (!/^\d{1,5}(\/(tcp|udp|sctp))?$/.test(port))
            throw refuse(change, `"${port}" is not PORT[/PROTO]`);
          ports[port.includes('/') ? port : `${port}/tcp`] = {};
        }
        next.ExposedPorts = ports;
        break;
      }
      case 'USER':
        next.User = rest;
        break;
      case 'WORKDIR':
        if (!rest.startsWith('/')) throw refuse(change, 'WORKDIR must be an absolute path');
        next.WorkingDir = rest;
        break;
      case 'VOLUME': {
        const paths = rest.startsWith('[') ? commandOf(change, rest) : rest.split(/\s+/);
        next.Volumes = { ...(next.Volumes ?? {}), ...Object.fromEntries(paths.map((path) => [path, {}])) };
        break;
      }
      case 'STOPSIGNAL':
        next.StopSignal = rest;
        break;
      default:
        throw refuse(
          change,
          `${instruction} is not supported: use CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, USER, VOLUME, WORKDIR or STOPSIGNAL`,
        );
    }
  }
  return next;
}
