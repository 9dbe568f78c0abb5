import { join } from 'node:path';
import type { ImageSummary, PullEvent, PullProgress } from '@stevedore/shared';
import type { AgentConfig } from '../config/agent-config.js';
import type { AgentPaths } from '../config/paths.js';
import { Overlay2Store } from '../storage/overlay2/layer-store.js';
import { ContentStore } from './content/content-store.js';
import { type ImageRecord, ImageStore } from './image-store.js';
import { pullImage } from './pull.js';
import { RegistryClient } from './registry/client.js';

const summarize = (image: ImageRecord): ImageSummary => ({
  Id: image.id,
  RepoTags: image.repoTags,
  RepoDigests: image.repoDigests,
  Created: image.config.created ?? image.pulledAt,
  Size: image.size,
});

/** Images of this agent: pull with progress, list. Wired from the config's registry settings. */
export class ImageService {
  private constructor(
    private readonly registry: RegistryClient,
    private readonly content: ContentStore,
    private readonly layers: Overlay2Store,
    private readonly images: ImageStore,
  ) {}

  static async create(config: AgentConfig, paths: AgentPaths): Promise<ImageService> {
    const registry = new RegistryClient(() => ({
      registryMirrors: config.registryMirrors,
      insecureRegistries: config.insecureRegistries,
    }));
    const content = new ContentStore(join(paths.dataRoot, 'content'));
    const layers = new Overlay2Store(join(paths.dataRoot, 'overlay2'));
    const images = new ImageStore(paths.images);
    await Promise.all([content.init(), layers.init(), images.init()]);
    return new ImageService(registry, content, layers, images);
  }

  async list(): Promise<ImageSummary[]> {
    return (await this.images.list()).map(summarize).sort((a, b) => b.Created.localeCompare(a.Created));
  }

  /** Progress events while pulling, then the image; the pull goes on if the caller goes away. */
  async *pull(reference: string): AsyncGenerator<PullEvent> {
    const queue: PullEvent[] = [];
    let wake: (() => void) | null = null;
    let finished = false;
    let failure: unknown = null;
    const push = (event: PullEvent) => {
      queue.push(event);
      wake?.();
    };
    const deps = { registry: this.registry, content: this.content, layers: this.layers, images: this.images };
    pullImage(deps, reference, (progress: PullProgress) => push({ type: 'progress', progress }))
      .then((image) => push({ type: 'done', image: summarize(image) }))
      .catch((error: unknown) => {
        failure = error;
      })
      .finally(() => {
        finished = true;
        wake?.();
      });
    for (;;) {
      const next = queue.shift();
      if (next) {
        yield next;
        if (next.type === 'done') return;
        continue;
      }
      if (finished) {
        if (failure) throw failure;
        return;
      }
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
      wake = null;
    }
  }

  async close(): Promise<void> {
    await this.registry.close();
  }
}
