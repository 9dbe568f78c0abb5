import { KeyedLock } from '../util/keyed-lock.js';

/** A container as the references read it from the container store. */
export interface ContainerReference {
  Id: string;
  ImageId: string;
  State: { Running: boolean };
}

/** A container that uses an image. */
export interface ImageUser {
  id: string;
  running: boolean;
}

/**
 * What stands on image layers, in one place, so garbage collection never deletes a layer in use:
 * containers (read from the container store, the source of truth), pins (a pull's layers until its
 * image record is saved) and leases (a pull, load or commit from its first byte to its image record).
 */
export class LayerReferences {
  private readonly pinned = new Map<string, number>();
  /** Images claimed by creates whose container record is not saved yet: image ID → container IDs. */
  private readonly creating = new Map<string, Set<string>>();
  private readonly lock = new KeyedLock();
  private leases = 0;
  /** A collection of leftovers under way: new leases wait for it. */
  private collecting: Promise<void> | null = null;

  constructor(
    private readonly containers: { all(): readonly ContainerReference[] },
    /** The store of the containers' writable layers (the remapped one under `--userns-remap`). */
    private readonly containerLayers: { upperDir(containerId: string): string },
  ) {}

  /** Which container uses an image (a running one first): such an image's layers are never removed. */
  imageUser(imageId: string): ImageUser | null {
    const users = this.containers.all().filter((record) => record.ImageId === imageId);
    const user = users.find((record) => record.State.Running) ?? users[0];
    if (user) return { id: user.Id, running: user.State.Running };
    const [created] = this.creating.get(imageId) ?? [];
    return created ? { id: created, running: false } : null;
  }

  /**
   * Runs `fn` as the only user-changing step on one image: a removal checks its users and deletes
   * under this, and a create claims the image under it, so neither sees the other half done.
   */
  withImage<T>(imageId: string, fn: () => Promise<T>): Promise<T> {
    return this.lock.run(`image:${imageId}`, fn);
  }

  /**
   * Counts `containerId` as a user of `imageId` until the returned release is called (once its
   * record is saved, the record counts; or when the create fails). Call it inside `withImage`.
   */
  claimForCreate(imageId: string, containerId: string): () => void {
    const claims = this.creating.get(imageId) ?? new Set<string>();
    claims.add(containerId);
    this.creating.set(imageId, claims);
    return () => {
      claims.delete(containerId);
      if (claims.size === 0 && this.creating.get(imageId) === claims) this.creating.delete(imageId);
    };
  }

  /** Each container's writable layer and whether it runs, for `system df`. */
  containerLayerUsage(): { id: string; upper: string; running: boolean }[] {
    return this.containers.all().map((record) => ({
      id: record.Id,
      upper: this.containerLayers.upperDir(record.Id),
      running: record.State.Running,
    }));
  }

  /**
   * Pins a pull's layers against a concurrent `rmi`: pinning and deleting a layer both happen
   * under one lock (`whileNoPinChanges`), so either the pull sees the layer gone (and fetches it
   * again) or `rmi` sees it pinned (and keeps it). Resolves the release.
   */
  async pin(chainIds: readonly string[]): Promise<() => void> {
    await this.whileNoPinChanges(async () => {
      for (const chainId of chainIds) this.pinned.set(chainId, (this.pinned.get(chainId) ?? 0) + 1);
    });
    return () => {
      for (const chainId of chainIds) {
        const left = (this.pinned.get(chainId) ?? 1) - 1;
        if (left > 0) this.pinned.set(chainId, left);
        else this.pinned.delete(chainId);
      }
    };
  }

  isPinned(chainId: string): boolean {
    return this.pinned.has(chainId);
  }

  pinnedLayers(): Set<string> {
    return new Set(this.pinned.keys());
  }

  /** Layers are deleted only under this lock, so no pin is taken meanwhile. */
  whileNoPinChanges<T>(fn: () => Promise<T>): Promise<T> {
    return this.lock.run('layers', fn);
  }

  /** Held by a pull, load or commit from its first byte to its image record. */
  async lease<T>(work: () => Promise<T>): Promise<T> {
    while (this.collecting) await this.collecting;
    this.leases++;
    try {
      return await work();
    } finally {
      this.leases--;
    }
  }

  /** Whether a lease is held or a collection runs: leftovers must not be judged now. */
  get busy(): boolean {
    return this.leases > 0 || this.collecting !== null;
  }

  /**
   * Runs a collection of leftovers unless `busy`; leases asked for meanwhile wait until it ends.
   * Resolves `fn`'s result, or `skipped` when it did not run.
   */
  async collect<T>(fn: () => Promise<T>, skipped: T): Promise<T> {
    if (this.busy) return skipped;
    let done = () => {};
    this.collecting = new Promise<void>((resolve) => {
      done = resolve;
    });
    try {
      return await this.whileNoPinChanges(fn);
    } finally {
      this.collecting = null;
      done();
    }
  }
}
