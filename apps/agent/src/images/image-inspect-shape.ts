import { type ImageInspectConfig, ImageInspectConfigSchema } from '@stevedore/shared';

/** Go's zero time: what Docker prints for a time it never recorded. */
export const GO_ZERO_TIME = '0001-01-01T00:00:00Z';

/**
 * An image config as `docker image inspect` prints it: every key Docker always has, with its
 * ""/false/null defaults where the image sets nothing; the optional ones (ExposedPorts,
 * Healthcheck, StopSignal) only when set, as Docker omits them.
 */
export function dockerImageConfig(config: ImageInspectConfig | undefined): NonNullable<ImageInspectConfig> {
  const c = config ?? {};
  return {
    Hostname: c.Hostname ?? '',
    Domainname: c.Domainname ?? '',
    User: c.User ?? '',
    AttachStdin: c.AttachStdin ?? false,
    AttachStdout: c.AttachStdout ?? false,
    AttachStderr: c.AttachStderr ?? false,
    ...(c.ExposedPorts ? { ExposedPorts: c.ExposedPorts } : {}),
    Tty: c.Tty ?? false,
    OpenStdin: c.OpenStdin ?? false,
    StdinOnce: c.StdinOnce ?? false,
    Env: c.Env ?? null,
    Cmd: c.Cmd ?? null,
    ...(c.Healthcheck ? { Healthcheck: c.Healthcheck } : {}),
    Image: c.Image ?? '',
    Volumes: c.Volumes ?? null,
    WorkingDir: c.WorkingDir ?? '',
    Entrypoint: c.Entrypoint ?? null,
    OnBuild: c.OnBuild ?? null,
    Labels: c.Labels ?? null,
    ...(c.StopSignal ? { StopSignal: c.StopSignal } : {}),
  };
}

/** The legacy builder's container_config (free-form in the image's JSON), read as an image config. */
export function dockerContainerConfig(raw: unknown): NonNullable<ImageInspectConfig> {
  const parsed = ImageInspectConfigSchema.safeParse(raw ?? null);
  return dockerImageConfig(parsed.success ? (parsed.data ?? undefined) : undefined);
}

/**
 * GraphDriver.Data of an image as Docker's overlay2 shows it: the top layer's diff, merged and work
 * directories, and the layers below (top-down) as LowerDir when there are any.
 */
export function imageGraphDriverData(diffDirsBottomFirst: readonly string[]): Record<string, string> {
  const topDown = [...diffDirsBottomFirst].reverse();
  const top = topDown[0];
  if (top === undefined) return {};
  const layerDir = top.replace(/\/diff$/, '');
  return {
    ...(topDown.length > 1 ? { LowerDir: topDown.slice(1).join(':') } : {}),
    MergedDir: `${layerDir}/merged`,
    UpperDir: top,
    WorkDir: `${layerDir}/work`,
  };
}
