import type { SystemInfo, Version } from '@stevedore/shared';

/**
 * What `--format` and `{{json .}}` see of `version` and `info`: the agent's answer in Docker's
 * shape, with the client-side parts Docker's CLI adds (Context, ClientInfo) and its nulls.
 */

/** Go's field is APIVersion while its JSON key is ApiVersion: templates may use either. */
function withApiVersionAlias<T extends { ApiVersion: string }>(value: T): T {
  return Object.defineProperty({ ...value }, 'APIVersion', { value: value.ApiVersion, enumerable: false });
}

export interface ClientVersion {
  Version: string;
  ApiVersion: string;
  NodeVersion: string;
  GitCommit: string;
  Os: string;
  Arch: string;
}

/** `version --format`'s dot: Client (with Docker's Platform and Context) and Server. */
export function versionView(client: ClientVersion, server: Version): { Client: unknown; Server: unknown } {
  // Stevedore has no CLI contexts: every command talks to the host it is given, Docker's "default".
  return {
    Client: withApiVersionAlias({ Platform: { Name: 'Stevedore' }, ...client, Context: 'default' }),
    Server: withApiVersionAlias(server),
  };
}

/** `info --format`'s dot: Warnings null when there are none, and the client's ClientInfo. */
export function infoView(info: SystemInfo): Record<string, unknown> {
  return {
    ...info,
    Warnings: info.Warnings.length > 0 ? info.Warnings : null,
    ClientInfo: { Debug: false, Context: 'default', Plugins: [], Warnings: null },
  };
}
