import { join } from 'node:path';
import { StevedoreError } from '@stevedore/shared';
import type { EventBus } from '../../events/event-bus.js';
import type { HostResources } from '../../host/host-resources.js';
import type { CommitOptions } from '../../images/commit.js';
import type { ImageForContainer } from '../../images/image-queries.js';
import type { Overlay2Store } from '../../storage/overlay2/layer-store.js';
import { KeyedLock } from '../../util/keyed-lock.js';
import type { Logger } from '../../util/logger.js';
import type { VolumeStore } from '../../volumes/volume-store.js';
import type { Runc } from '../oci/runc.js';
import type { RemappedLayers } from '../userns/remapped-layers.js';
import type { ContainerNetworking } from './container-networking.js';
import type { ContainerRecord } from './container-record.js';
import type { ContainerStore } from './container-store.js';
import { ContainerWaiters } from './exit-waiters.js';

export interface ContainerServiceDeps {
  store: ContainerStore;
  layers: Overlay2Store;
  volumes: VolumeStore;
  runc: Runc;
  conmonBinary: string;
  events: EventBus;
  host: HostResources;
  /**
   * The image a new container `containerId` is made from, counted as in use by it (so no `rmi` or
   * prune deletes its layers) until `release` is called, once the container's record is saved.
   */
  claimImage(reference: string, containerId: string): Promise<{ image: ImageForContainer; release(): void }>;
  /** `--userns-remap`: the mapping and the remapped copies of image layers (`layers` is their store). */
  remap?: RemappedLayers | null;
  /** Creates an image from a container layer (the image service's commit). */
  commitImage?: (options: CommitOptions) => Promise<string>;
  /** Bridge and user networks: addresses, namespaces, published ports. */
  networking: ContainerNetworking;
  execRoot: string;
  cgroupParent: string | null;
  /** Default `log-opts` of the agent (max-size applies to conmon's log). */
  logOpts: Record<string, string>;
  log: Logger;
}

/**
 * What every part of the container service shares: its dependencies, one lock per container (state
 * changes of a container are serialized), the waiters for exits and removals, where a container's
 * runtime files are, and how its events are published.
 */
export class ContainerContext {
  private readonly locks = new KeyedLock();
  readonly waiters: ContainerWaiters;

  constructor(readonly deps: ContainerServiceDeps) {
    this.waiters = new ContainerWaiters(deps.store);
  }

  /** Where conmon writes `<id>` with the exit status of each container. */
  get exitDir(): string {
    return join(this.deps.execRoot, 'exits');
  }

  /** The OCI bundle of a started container (and conmon's files, its attach socket). */
  runtimeDir(id: string): string {
    return join(this.deps.execRoot, 'containers', id);
  }

  logPath(id: string): string {
    return join(this.deps.store.containerDir(id), `${id}.log`);
  }

  cgroupsPath(id: string): string {
    const parent = (this.deps.cgroupParent ?? 'stevedore').replace(/^\/+|\/+$/g, '');
    return `/${parent}/${id}`;
  }

  withLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
    return this.locks.run(key, fn);
  }

  publish(record: ContainerRecord, action: string, extra: Record<string, string> = {}): void {
    this.deps.events.publish('container', action, record.Id, {
      ...record.Config.Labels,
      image: record.ImageName,
      name: record.Name,
      ...extra,
    });
  }
}

export const notRunning = (record: ContainerRecord) =>
  new StevedoreError('CONFLICT', `Container ${record.Id} is not running`, { container: record.Id });
