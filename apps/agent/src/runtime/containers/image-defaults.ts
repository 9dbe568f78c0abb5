import {
  type ContainerConfig,
  type ContainerCreate,
  type ImageConfig,
  mergeHealthcheck,
} from '@stevedore/shared';
import { DEFAULT_PATH } from '../bundle/default-profile.js';

type ImageRuntimeConfig = NonNullable<ImageConfig['config']>;

const envKey = (entry: string) => entry.split('=', 1)[0]!;

/**
 * The container's Config after the image's defaults are applied, the way dockerd merges them:
 * the image's Entrypoint and Cmd are used unless overridden (an overridden entrypoint drops the
 * image's Cmd), Env and Labels are combined with the container's values winning, ports and volumes
 * are unions, and the hostname defaults to the short container ID.
 */
export function applyImageConfig(
  create: ContainerCreate,
  image: ImageRuntimeConfig | null | undefined,
  containerId: string,
): ContainerConfig {
  const config = create.Config;
  const img = image ?? {};
  const entrypointGiven = config.Entrypoint?.some((part) => part !== '') ?? false;
  let entrypoint: string[] | null = config.Entrypoint;
  let cmd: string[] | null = config.Cmd;
  if (!entrypointGiven) {
    if (cmd === null || cmd.length === 0) cmd = img.Cmd ?? null;
    entrypoint = config.Entrypoint === null ? (img.Entrypoint ?? null) : [];
  }
  const userKeys = new Set(config.Env.map(envKey));
  return {
    ...config,
    Entrypoint: entrypoint,
    Cmd: cmd,
    Env: [...config.Env, ...(img.Env ?? []).filter((entry) => !userKeys.has(envKey(entry)))],
    User: config.User || img.User || '',
    WorkingDir: config.WorkingDir || img.WorkingDir || '',
    Hostname: config.Hostname || containerId.slice(0, 12),
    Labels: { ...(img.Labels ?? {}), ...config.Labels },
    ExposedPorts: { ...(img.ExposedPorts ?? {}), ...config.ExposedPorts },
    Volumes: { ...(img.Volumes ?? {}), ...config.Volumes },
    ...((config.StopSignal ?? img.StopSignal) ? { StopSignal: config.StopSignal ?? img.StopSignal } : {}),
    ...healthcheckOf(config, img),
  };
}

/** Config.Healthcheck over the image's HEALTHCHECK (left out when neither has one). */
function healthcheckOf(
  config: ContainerConfig,
  image: ImageRuntimeConfig,
): Pick<ContainerConfig, 'Healthcheck'> {
  const merged = mergeHealthcheck(config.Healthcheck, image.Healthcheck);
  return merged ? { Healthcheck: merged } : {};
}

/** argv of the container's first process: Entrypoint then Cmd. */
export function processArgs(config: ContainerConfig): string[] {
  return [...(config.Entrypoint ?? []), ...(config.Cmd ?? [])].filter(
    (part, index) => index > 0 || part !== '',
  );
}

/** The process environment as Docker builds it: PATH, HOSTNAME, TERM for a tty, then Env. */
export function processEnv(config: ContainerConfig, hostname: string, home: string): string[] {
  const given = config.Env.filter((entry) => entry.includes('='));
  const keys = new Set(given.map(envKey));
  const defaults = [
    ...(keys.has('PATH') ? [] : [`PATH=${DEFAULT_PATH}`]),
    `HOSTNAME=${hostname}`,
    ...(config.Tty && !keys.has('TERM') ? ['TERM=xterm'] : []),
    ...(keys.has('HOME') ? [] : [`HOME=${home}`]),
  ];
  return [...defaults.filter((entry) => !keys.has(envKey(entry))), ...given];
}
