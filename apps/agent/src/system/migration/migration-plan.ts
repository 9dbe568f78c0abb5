import { resolve } from 'node:path';
import { type MigrateDataRoot, StevedoreError } from '@stevedore/shared';
import type { AgentConfig } from '../../config/agent-config.js';
import { checkTarget } from './target-checks.js';

export interface Plan {
  source: string;
  target: string;
  running: { Id: string; Name: string }[];
  totalBytes: number;
}

export interface PlanDeps {
  config: Pick<AgentConfig, 'dataRoot' | 'flagKeys'>;
  containers: { running(): { Id: string; Name: string; paused: boolean }[] };
}

/** Everything that can be checked before a byte is copied; refusals are thrown as errors. */
export async function planMigration(deps: PlanDeps, input: MigrateDataRoot): Promise<Plan> {
  const { config } = deps;
  const source = config.dataRoot;
  const target = resolve(input.target);
  if (config.flagKeys.includes('data-root')) {
    throw new StevedoreError(
      'FAILED_PRECONDITION',
      'data-root is set by the --data-root flag, which wins over the config file: start the agent with data-root in its config file to migrate',
    );
  }
  const running = deps.containers.running();
  if (running.some((c) => c.paused)) {
    throw new StevedoreError(
      'CONFLICT',
      `paused containers cannot be moved: unpause or stop ${running
        .filter((c) => c.paused)
        .map((c) => c.Name)
        .join(', ')}`,
    );
  }
  if (running.length > 0 && !input.stopContainers) {
    throw new StevedoreError(
      'CONFLICT',
      `containers are running (${running.map((c) => c.Name).join(', ')}): stop them, or ask to have them stopped for the copy and started again after`,
      { containers: running.map((c) => c.Id) },
    );
  }
  const totalBytes = await checkTarget(source, target);
  return { source, target, running, totalBytes };
}
