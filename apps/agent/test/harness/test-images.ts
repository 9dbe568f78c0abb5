/** Images the tests build themselves from real files and push to a test registry. */
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { pack } from 'tar-stream';
import { pushBlob, pushManifest, sha256Digest, type TestRegistry } from './registry.js';

export const MEDIA = {
  manifest: 'application/vnd.docker.distribution.manifest.v2+json',
  manifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  config: 'application/vnd.docker.container.image.v1+json',
  layerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayerZstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
} as const;

export type LayerEntry =
  | { type: 'file'; name: string; content: string | Buffer; mode?: number; uid?: number; gid?: number }
  | { type: 'directory'; name: string; mode?: number }
  | { type: 'symlink'; name: string; target: string }
  | { type: 'link'; name: string; target: string };

/** A tar archive of what `write` adds to it, in memory. */
export async function tarOf(write: (archive: ReturnType<typeof pack>) => void): Promise<Buffer> {
  const archive = pack();
  const parts: Buffer[] = [];
  archive.on('data', (chunk: unknown) => parts.push(chunk as Buffer));
  const done = new Promise<void>((resolve, reject) => {
    archive.on('end', resolve);
    archive.on('error', reject);
  });
  write(archive);
  archive.finalize();
  await done;
  return Buffer.concat(parts);
}

/** A tar archive of the entries, as a layer's uncompressed content. */
export function buildLayerTar(entries: LayerEntry[]): Promise<Buffer> {
  const mtime = new Date('2026-01-01T00:00:00Z');
  return tarOf((archive) => {
    for (const entry of entries) {
      if (entry.type === 'file') {
        const content = Buffer.isBuffer(entry.content) ? entry.content : Buffer.from(entry.content);
        archive.entry(
          { name: entry.name, mode: entry.mode ?? 0o644, uid: entry.uid ?? 0, gid: entry.gid ?? 0, mtime },
          content,
        );
      } else if (entry.type === 'directory') {
        archive.entry({ name: entry.name, type: 'directory', mode: entry.mode ?? 0o755, mtime });
      } else if (entry.type === 'symlink') {
        archive.entry({ name: entry.name, type: 'symlink', linkname: entry.target, mtime });
      } else {
        archive.entry({ name: entry.name, type: 'link', linkname: entry.target, mtime });
      }
    }
  });
}

export interface PushedImage {
  reference: string;
  manifestDigest: string;
  configDigest: string;
  layers: { digest: string; diffId: string; size: number; tar: Buffer }[];
}

/** Pushes a Docker schema2 image of gzip layers with the given config. */
export async function pushImage(
  registry: TestRegistry,
  repository: string,
  tag: string,
  layers: LayerEntry[][],
  config: Record<string, unknown> = {},
): Promise<PushedImage> {
  const built = [];
  for (const entries of layers) {
    const tar = await buildLayerTar(entries);
    const gz = gzipSync(tar);
    const digest = await pushBlob(registry, repository, gz);
    built.push({ digest, diffId: sha256Digest(tar), size: gz.length, tar });
  }
  const configBody = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      config,
      rootfs: { type: 'layers', diff_ids: built.map((layer) => layer.diffId) },
      history: built.map(() => ({ created: '2026-01-01T00:00:00Z', created_by: 'stevedore test' })),
    }),
  );
  const configDigest = await pushBlob(registry, repository, configBody);
  const manifest = {
    schemaVersion: 2,
    mediaType: MEDIA.manifest,
    config: { mediaType: MEDIA.config, size: configBody.length, digest: configDigest },
    layers: built.map((layer) => ({ mediaType: MEDIA.layerGzip, size: layer.size, digest: layer.digest })),
  };
  const manifestDigest = await pushManifest(registry, repository, tag, manifest, MEDIA.manifest);
  return { reference: `${registry.host}/${repository}:${tag}`, manifestDigest, configDigest, layers: built };
}

const BUSYBOX_APPLETS = [
  'ps',
  'top',
  'hostname',
  'touch',
  'dd',
  'head',
  'grep',
  'yes',
  'kill',
  'wc',
  'stat',
  'ln',
  'sh',
  'ls',
  'cat',
  'echo',
  'wget',
  'sleep',
  'true',
  'false',
  'id',
  'env',
  'mkdir',
  'rm',
  'httpd',
  'nslookup',
  'ip',
  'timeout',
];

/** The busybox layer (Debian's busybox-static and its applets): the same bytes every time. */
export function busyboxLayer(): LayerEntry[] {
  return [
    { type: 'directory', name: 'bin' },
    { type: 'file', name: 'bin/busybox', content: readFileSync('/bin/busybox'), mode: 0o755 },
    ...BUSYBOX_APPLETS.map((applet) => ({
      type: 'symlink' as const,
      name: `bin/${applet}`,
      target: 'busybox',
    })),
    { type: 'directory', name: 'etc' },
    {
      type: 'file',
      name: 'etc/passwd',
      content: 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n',
    },
    { type: 'file', name: 'etc/group', content: 'root:x:0:\nnogroup:x:65534:\n' },
    { type: 'directory', name: 'tmp', mode: 0o1777 },
  ];
}

/** A one-layer busybox image made from Debian's busybox-static. */
export function pushBusybox(registry: TestRegistry, repository = 'library/busybox', tag = 'latest') {
  return pushImage(registry, repository, tag, [busyboxLayer()], {
    Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
    Cmd: ['sh'],
  });
}

/** busybox with a Dockerfile HEALTHCHECK (Docker's config shape: durations in nanoseconds). */
export function pushBusyboxWithHealthcheck(
  registry: TestRegistry,
  healthcheck: {
    Test: string[];
    Interval?: number;
    Timeout?: number;
    StartPeriod?: number;
    Retries?: number;
  },
  repository = 'library/busybox-health',
) {
  return pushImage(registry, repository, 'latest', [busyboxLayer()], {
    Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
    Cmd: ['sleep', '300'],
    Healthcheck: healthcheck,
  });
}
