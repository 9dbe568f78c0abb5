import {
  type DataRootCheck,
  type DataRootInfo,
  type DiskUsageRow,
  type LogRotation,
  type SessionUser,
  StevedoreError,
} from '@stevedore/shared';
import type { Db } from '../../db/client';
import { getHost } from '../../db/repositories/hosts';
import type { AgentHub } from '../../hub/agent-hub';
import { audited } from '../audited';

export interface DiskOverview {
  dataRoot: DataRootInfo;
  df: DiskUsageRow[];
}

export interface LogRotationSettings extends LogRotation {
  /** The file's other `log-opts` keys, kept as they are. */
  otherOptions: Record<string, string>;
  configPath: string;
}

/** A host's data-root, its filesystem and `system df`; its log rotation defaults. */
export class DiskService {
  constructor(
    private readonly db: Db,
    private readonly hub: AgentHub,
  ) {}

  async overview(hostId: string): Promise<DiskOverview> {
    await getHost(this.db, hostId);
    return this.hub.call(hostId, async (client) => {
      const [dataRoot, df] = await Promise.all([client.system.dataRoot.query(), client.system.df.query()]);
      return { dataRoot, df };
    });
  }

  async check(hostId: string, target: string): Promise<DataRootCheck> {
    await getHost(this.db, hostId);
    return this.hub.call(hostId, (client) => client.system.checkDataRoot.query({ target }));
  }

  async logRotation(hostId: string): Promise<LogRotationSettings> {
    await getHost(this.db, hostId);
    const { path, settings } = await this.hub.call(hostId, (client) => client.config.get.query());
    return splitLogOptions(path, settings['log-opts'] ?? {});
  }

  /** Writes max-size / max-file into daemon.json's `log-opts`; containers created afterwards get them. */
  setLogRotation(actor: SessionUser, hostId: string, rotation: LogRotation): Promise<LogRotationSettings> {
    return audited(
      this.db,
      actor,
      { action: 'disk.logRotation', hostId, params: { ...rotation } },
      async () => {
        await getHost(this.db, hostId);
        return this.hub.call(hostId, async (client) => {
          const { settings } = await client.config.get.query();
          const options: Record<string, string> = { ...(settings['log-opts'] ?? {}) };
          delete options['max-size'];
          delete options['max-file'];
          if (rotation.maxSize !== null) options['max-size'] = rotation.maxSize;
          if (rotation.maxFile !== null) options['max-file'] = String(rotation.maxFile);
          try {
            const result = await client.config.update.mutate({
              settings: { 'log-opts': Object.keys(options).length > 0 ? options : null },
            });
            return splitLogOptions(result.path, result.settings['log-opts'] ?? {});
          } catch (error) {
            throw new StevedoreError(
              'FAILED_PRECONDITION',
              `the agent refused the log options: ${error instanceof Error ? error.message : String(error)}`,
              { hostId },
            );
          }
        });
      },
    );
  }
}

function splitLogOptions(configPath: string, options: Record<string, string>): LogRotationSettings {
  const { 'max-size': maxSize, 'max-file': maxFile, ...otherOptions } = options;
  const files = maxFile === undefined ? null : Number(maxFile);
  return {
    maxSize: maxSize ?? null,
    maxFile: files !== null && Number.isInteger(files) ? files : null,
    otherOptions,
    configPath,
  };
}
