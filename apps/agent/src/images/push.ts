import { createHash } from 'node:crypto';
import {
  type ImageReference,
  MediaTypes,
  type PushEvent,
  parseImageReference,
  StevedoreError,
} from '@stevedore/shared';
import type { ContentStore } from './content/content-store.js';
import type { ImageRecord, ImageStore } from './image-store.js';
import { readErrorDetail } from './registry/bounded-body.js';
import type { RegistryClient } from './registry/client.js';

export interface PushDeps {
  registry: RegistryClient;
  content: ContentStore;
  images: ImageStore;
}

interface Blob {
  digest: string;
  mediaType: string;
  size: number;
}

const DOCKER_CONFIG = 'application/vnd.docker.container.image.v1+json';
const OCI_MEDIA: Record<string, string> = {
  [MediaTypes.dockerLayerGzip]: 'application/vnd.oci.image.layer.v1.tar+gzip',
  'application/vnd.docker.image.rootfs.diff.tar': 'application/vnd.oci.image.layer.v1.tar',
};

/**
 * The manifest for the blobs as they are: Docker schema 2 when every layer is a gzip tar (what
 * Docker itself pushes), an OCI manifest when some are plain or zstd tars.
 */
function manifestFor(config: Blob, layers: readonly Blob[]): { mediaType: string; body: Buffer } {
  const docker = layers.every((layer) => layer.mediaType === MediaTypes.dockerLayerGzip);
  const mediaType = docker ? MediaTypes.dockerManifest : 'application/vnd.oci.image.manifest.v1+json';
  const body = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType,
      config: {
        mediaType: docker ? DOCKER_CONFIG : 'application/vnd.oci.image.config.v1+json',
        size: config.size,
        digest: config.digest,
      },
      layers: layers.map((layer) => ({
        mediaType: docker ? layer.mediaType : (OCI_MEDIA[layer.mediaType] ?? layer.mediaType),
        size: layer.size,
        digest: layer.digest,
      })),
    }),
  );
  return { mediaType, body };
}

const uploadUrl = (location: string, digest: string) =>
  `${location}${location.includes('?') ? '&' : '?'}digest=${encodeURIComponent(digest)}`;

/**
 * `docker push`: each blob is skipped when the repository has it, mounted from another
 * repository of the same registry the image came from or went to, or uploaded; then the manifest.
 */
export async function pushImage(
  deps: PushDeps,
  image: ImageRecord,
  tag: string,
  onEvent: (event: PushEvent) => void,
): Promise<{ digest: string; size: number }> {
  const ref = parseImageReference(tag);
  const layers = image.blobs;
  if (!layers || layers.length !== image.chainIds.length) {
    throw new StevedoreError(
      'FAILED_PRECONDITION',
      `image ${image.id.slice(7, 19)} was stored before layer blobs were kept: pull it again to push it`,
      { image: image.id },
    );
  }
  const configInfo = await deps.content.info(image.id);
  if (!configInfo) throw new StevedoreError('INTERNAL', `the config blob of ${image.id} is missing`);
  const config: Blob = { digest: image.id, mediaType: DOCKER_CONFIG, size: configInfo.size };
  const all = await deps.images.list();
  for (const blob of [...layers, config]) {
    // Any image holding the blob tells where it already is on this registry.
    const holders = all.filter(
      (other) => other.id === blob.digest || other.blobs?.some((b) => b.digest === blob.digest),
    );
    await pushBlob(deps, ref, blob, mountSources(holders, ref), onEvent);
  }
  const manifest = manifestFor(config, layers);
  const response = await deps.registry.send(
    ref.domain,
    'PUT',
    `/v2/${ref.path}/manifests/${ref.tag ?? 'latest'}`,
    {
      scope: `repository:${ref.path}:pull,push`,
      headers: { 'content-type': manifest.mediaType },
      body: manifest.body,
    },
  );
  const detail = await readErrorDetail(response.body);
  if (response.statusCode !== 201) {
    throw new StevedoreError(
      'UNAVAILABLE',
      `the registry refused the manifest (${response.statusCode}): ${detail.slice(0, 200)}`,
      {
        repository: ref.path,
      },
    );
  }
  const digest = `sha256:${createHash('sha256').update(manifest.body).digest('hex')}`;
  await deps.images.save(image, null, `${ref.domain}/${ref.path}@${digest}`);
  return { digest, size: manifest.body.length };
}

/** Repositories of the target's registry the images came from or went to (mount candidates). */
function mountSources(images: readonly ImageRecord[], target: ImageReference): string[] {
  const names = images
    .flatMap((image) => [...image.repoDigests, ...image.repoTags])
    .map((name) => {
      try {
        return parseImageReference(name);
      } catch {
        return null;
      }
    });
  return [
    ...new Set(
      names
        .filter(
          (name): name is ImageReference =>
            name !== null && name.domain === target.domain && name.path !== target.path,
        )
        .map((name) => name.path),
    ),
  ];
}

async function pushBlob(
  deps: PushDeps,
  ref: ImageReference,
  blob: Blob,
  sources: readonly string[],
  onEvent: (event: PushEvent) => void,
): Promise<void> {
  const id = blob.digest.slice(7, 19);
  const scope = `repository:${ref.path}:pull,push`;
  const progress = (status: string, extra: { current?: number; total?: number } = {}) =>
    onEvent({ type: 'progress', id, status, ...extra });
  progress('Preparing');
  const head = await deps.registry.send(ref.domain, 'HEAD', `/v2/${ref.path}/blobs/${blob.digest}`, {
    scope,
  });
  await head.body.dump();
  if (head.statusCode === 200) {
    progress('Layer already exists');
    return;
  }
  let location: string | null = null;
  for (const from of sources) {
    const mount = await deps.registry.send(
      ref.domain,
      'POST',
      `/v2/${ref.path}/blobs/uploads/?mount=${encodeURIComponent(blob.digest)}&from=${encodeURIComponent(from)}`,
      { scope },
    );
    await mount.body.dump();
    if (mount.statusCode === 201) {
      progress(`Mounted from ${from}`);
      return;
    }
    // 202: the registry could not mount and opened an upload instead.
    if (mount.statusCode === 202) {
      location = locationOf(mount.headers.location, ref);
      break;
    }
  }
  if (!location) {
    const started = await deps.registry.send(ref.domain, 'POST', `/v2/${ref.path}/blobs/uploads/`, { scope });
    await started.body.dump();
    if (started.statusCode !== 202) {
      throw new StevedoreError(
        'UNAVAILABLE',
        `the registry refused an upload to ${ref.path} (${started.statusCode})`,
      );
    }
    location = locationOf(started.headers.location, ref);
  }
  progress('Pushing', { current: 0, total: blob.size });
  const uploaded = await deps.registry.send(ref.domain, 'PUT', uploadUrl(location, blob.digest), {
    scope,
    headers: { 'content-type': 'application/octet-stream', 'content-length': String(blob.size) },
    body: deps.content.read(blob.digest),
  });
  const detail = await readErrorDetail(uploaded.body);
  if (uploaded.statusCode !== 201) {
    throw new StevedoreError(
      'UNAVAILABLE',
      `uploading ${blob.digest} failed (${uploaded.statusCode}): ${detail.slice(0, 200)}`,
      {
        digest: blob.digest,
      },
    );
  }
  progress('Pushed');
}

function locationOf(header: string | string[] | undefined, ref: ImageReference): string {
  const location = Array.isArray(header) ? header[0] : header;
  if (!location)
    throw new StevedoreError(
      'UNAVAILABLE',
      `the registry opened an upload to ${ref.path} without a Location`,
    );
  return location;
}
