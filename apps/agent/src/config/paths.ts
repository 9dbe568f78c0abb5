import { chmod, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { AgentConfig } from './agent-config.js';

/** Where the agent keeps things; the only place that knows the layout of the roots. */
export interface AgentPaths {
  dataRoot: string;
  execRoot: string;
  /** One directory per container: `containers/<id>/`. */
  containers: string;
  /** One entry per image: `image/<id>`. */
  images: string;
  auth: string;
  tokensFile: string;
  engineIdFile: string;
}

export function agentPaths(config: AgentConfig): AgentPaths {
  return {
    dataRoot: config.dataRoot,
    execRoot: config.execRoot,
    containers: join(config.dataRoot, 'containers'),
    images: join(config.dataRoot, 'image'),
    auth: join(config.dataRoot, 'auth'),
    tokensFile: config.authTokensFile,
    engineIdFile: join(config.dataRoot, 'engine-id'),
  };
}

/** Creates the roots and store directories; state is private to root, like Docker's. */
export async function prepareRoots(paths: AgentPaths): Promise<void> {
  await mkdir(paths.dataRoot, { recursive: true, mode: 0o711 });
  await mkdir(paths.execRoot, { recursive: true, mode: 0o700 });
  // Search-only for others: a user-namespaced container's root must reach its /etc files here.
  await mkdir(paths.containers, { recursive: true, mode: 0o711 });
  await chmod(paths.containers, 0o711);
  await mkdir(paths.images, { recursive: true, mode: 0o700 });
  await mkdir(paths.auth, { recursive: true, mode: 0o700 });
}
