import { join } from 'node:path';
import {
  type ContainerInspect,
  type ContainerSummary,
  type PruneReport,
  type PublishedPort,
  StevedoreError,
} from '@stevedore/shared';
import { diskUsage } from '../../util/disk-usage.js';
import { MASKED_PATHS, READONLY_PATHS } from '../bundle/default-profile.js';
import type { SampledContainer } from '../stats/stats-sampler.js';
import type { ContainerRecord } from './container-record.js';
import type { ContainerStore } from './container-store.js';
import { processArgs } from './image-defaults.js';
import { type ContainerContext, notRunning } from './service-context.js';
import { statusText } from './status-text.js';

/**
 * What the records say about containers: `ps` and its filters, `inspect`, counts, ports, the
 * containers stats, exec and `system df` look at, and `container prune`, which removes the stopped ones.
 */
export class ContainerQueries {
  constructor(
    private readonly ctx: ContainerContext,
    private readonly remove: (id: string, options: { force: boolean; volumes: boolean }) => Promise<void>,
  ) {}

  list(all: boolean, filters: string[] = []): ContainerSummary[] {
    const now = Date.now();
    return this.ctx.deps.store
      .all()
      .filter((record) => all || record.State.Running)
      .filter((record) => filters.every((filter) => matches(record, filter)))
      .sort((a, b) => b.Created.localeCompare(a.Created))
      .map((record) => ({
        Id: record.Id,
        Names: [`/${record.Name}`],
        Image: record.ImageName,
        ImageID: record.ImageId,
        Command: processArgs(record.Config)
          .map((arg) => (/\s/.test(arg) ? JSON.stringify(arg) : arg))
          .join(' '),
        Created: Math.floor(Date.parse(record.Created) / 1000),
        State: record.State.Status,
        Status: statusText(record.State, now),
        Labels: record.Config.Labels,
        Ports: this.ctx.deps.networking.summaryPorts(record),
        Mounts: record.Mounts,
        StartedAt: record.State.StartedAt,
      }));
  }

  counts(): { total: number; running: number; paused: number; stopped: number } {
    const all = this.ctx.deps.store.all();
    const running = all.filter((r) => r.State.Status === 'running').length;
    const paused = all.filter((r) => r.State.Status === 'paused').length;
    return { total: all.length, running, paused, stopped: all.length - running - paused };
  }

  async inspect(ref: string): Promise<ContainerInspect> {
    const { store, layers, networking } = this.ctx.deps;
    const record = store.get(ref);
    const dir = store.containerDir(record.Id);
    const args = processArgs(record.Config);
    const lower = await layers.lowerDirs(record.Id);
    return {
      Id: record.Id,
      Created: record.Created,
      Path: args[0] ?? '',
      Args: args.slice(1),
      State: record.State,
      Image: record.ImageId,
      ResolvConfPath: join(dir, 'resolv.conf'),
      HostnamePath: join(dir, 'hostname'),
      HostsPath: join(dir, 'hosts'),
      LogPath: this.ctx.logPath(record.Id),
      Name: `/${record.Name}`,
      RestartCount: record.RestartCount,
      Driver: 'overlay2',
      Platform: 'linux',
      HostConfig: {
        ...record.HostConfig,
        Links: null,
        OomScoreAdj: 0,
        // Docker's rule: a privileged container has neither (the spec leaves them out too).
        MaskedPaths: record.HostConfig.Privileged ? null : [...MASKED_PATHS],
        ReadonlyPaths: record.HostConfig.Privileged ? null : [...READONLY_PATHS],
      },
      GraphDriver: {
        Name: 'overlay2',
        Data: {
          LowerDir: lower.join(':'),
          MergedDir: layers.mergedDir(record.Id),
          UpperDir: layers.upperDir(record.Id),
          WorkDir: join(layers.mergedDir(record.Id), '..', 'work'),
        },
      },
      Mounts: record.Mounts,
      Config: record.Config,
      NetworkSettings: networking.inspectSettings(record),
    };
  }

  /** A running container an exec can join, with its mounted root. */
  execTarget(ref: string): { record: ContainerRecord; rootfs: string } {
    const record = this.ctx.deps.store.get(ref);
    if (record.State.Paused) {
      throw new StevedoreError(
        'CONFLICT',
        `Container ${record.Id} is paused, unpause the container before exec`,
        {
          container: record.Id,
        },
      );
    }
    if (!record.State.Running) throw notRunning(record);
    return { record, rootfs: this.ctx.deps.layers.mergedDir(record.Id) };
  }

  /** Running containers with what the stats sampler reads. */
  runningForStats(): SampledContainer[] {
    return this.ctx.deps.store
      .all()
      .filter((record) => record.State.Running && record.State.Pid > 0)
      .map((record) => ({
        id: record.Id,
        name: record.Name,
        pid: record.State.Pid,
        cgroupsPath: this.ctx.cgroupsPath(record.Id),
        hasNetwork: record.HostConfig.NetworkMode !== 'none',
      }));
  }

  /** Resolves names and ID prefixes to full IDs (for stats). */
  resolveIds(refs: readonly string[]): string[] {
    return refs.map((ref) => this.ctx.deps.store.get(ref).Id);
  }

  /** `docker container prune`: every container not running, with the bytes their layers held. */
  async prune(): Promise<PruneReport> {
    const { store, layers } = this.ctx.deps;
    const stopped = store
      .all()
      .filter((record) => !record.State.Running && !record.State.Paused && !record.State.Restarting);
    const sizes = await diskUsage(stopped.map((record) => layers.upperDir(record.Id)));
    const report: PruneReport = { deleted: [], untagged: [], spaceReclaimed: 0 };
    for (const record of stopped) {
      await this.remove(record.Id, { force: false, volumes: false });
      report.deleted.push(record.Id);
      report.spaceReclaimed += sizes.get(layers.upperDir(record.Id)) ?? 0;
    }
    return report;
  }

  /** `docker port`: the running container's published ports. */
  ports(ref: string): PublishedPort[] {
    const record = this.ctx.deps.store.get(ref);
    return record.State.Running ? this.ctx.deps.networking.publishedPorts(record.Id) : [];
  }

  volumeInUse(name: string): boolean {
    return volumeInUse(this.ctx.deps.store, name);
  }
}

/** Whether any container (running or not) mounts the volume. */
export function volumeInUse(store: ContainerStore, name: string): boolean {
  return store.all().some((record) => record.Mounts.some((mount) => mount.Name === name));
}

/** `ps --filter`: id, name, status, exited, ancestor, label, health; an unknown key matches everything. */
function matches(record: ContainerRecord, filter: string): boolean {
  const [key, ...rest] = filter.split('=');
  const value = rest.join('=');
  switch (key) {
    case 'id':
      return record.Id.startsWith(value);
    case 'name':
      return record.Name.includes(value.replace(/^\//, ''));
    case 'status':
      return record.State.Status === value;
    case 'exited':
      return record.State.Status === 'exited' && String(record.State.ExitCode) === value;
    case 'health':
      // Docker's `none`: no healthcheck at all (or HEALTHCHECK NONE).
      return (record.State.Health?.Status ?? 'none') === value;
    case 'ancestor':
      return record.ImageName === value || record.ImageId.includes(value);
    case 'label': {
      const [labelKey = '', ...labelValue] = value.split('=');
      return labelValue.length === 0
        ? labelKey in record.Config.Labels
        : record.Config.Labels[labelKey] === labelValue.join('=');
    }
    default:
      return true;
  }
}
