import { z } from 'zod';
import { HealthConfigSchema } from './containers/health.js';

export const MediaTypes = {
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  dockerForeignLayerGzip: 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayer: 'application/vnd.oci.image.layer.v1.tar',
  ociLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  ociLayerZstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
} as const;

const Digest = z.string().regex(/^sha256:[a-f0-9]{64}$/, { message: 'must be sha256:<64 hex digits>' });

export const DescriptorSchema = z.object({
  mediaType: z.string(),
  digest: Digest,
  size: z.number().int().nonnegative(),
  urls: z.array(z.string()).optional(),
  platform: z.object({ os: z.string(), architecture: z.string(), variant: z.string().optional() }).optional(),
});
export type Descriptor = z.infer<typeof DescriptorSchema>;

/** Docker schema2 and OCI image manifests share this shape. */
export const ImageManifestSchema = z.object({
  schemaVersion: z.literal(2),
  mediaType: z.string().optional(),
  config: DescriptorSchema,
  layers: z.array(DescriptorSchema),
});
export type ImageManifest = z.infer<typeof ImageManifestSchema>;

/** Docker manifest lists and OCI indexes. */
export const ImageIndexSchema = z.object({
  schemaVersion: z.literal(2),
  mediaType: z.string().optional(),
  manifests: z.array(DescriptorSchema),
});
export type ImageIndex = z.infer<typeof ImageIndexSchema>;

/** The parts of an image config Stevedore applies (Docker's names). */
export const ImageConfigSchema = z.object({
  architecture: z.string(),
  os: z.string(),
  variant: z.string().optional(),
  created: z.string().optional(),
  author: z.string().optional(),
  /** `docker commit -m`, `docker import -m`. */
  comment: z.string().optional(),
  /** Docker's legacy builder records the build container, its version and its config. */
  container: z.string().optional(),
  docker_version: z.string().optional(),
  container_config: z.record(z.string(), z.unknown()).nullish(),
  config: z
    .object({
      User: z.string().optional(),
      Env: z.array(z.string()).nullish(),
      Cmd: z.array(z.string()).nullish(),
      Entrypoint: z.array(z.string()).nullish(),
      WorkingDir: z.string().optional(),
      ExposedPorts: z.record(z.string(), z.object({})).nullish(),
      Volumes: z.record(z.string(), z.object({})).nullish(),
      Labels: z.record(z.string(), z.string()).nullish(),
      StopSignal: z.string().optional(),
      /** Dockerfile HEALTHCHECK; a malformed one is ignored rather than refusing the image. */
      Healthcheck: HealthConfigSchema.nullish().catch(undefined),
    })
    .partial()
    .nullish(),
  rootfs: z.object({ type: z.literal('layers'), diff_ids: z.array(Digest) }),
  history: z
    .array(
      z.object({
        created: z.string().optional(),
        created_by: z.string().optional(),
        comment: z.string().optional(),
        empty_layer: z.boolean().optional(),
      }),
    )
    .optional(),
});
export type ImageConfig = z.infer<typeof ImageConfigSchema>;

/** One progress line of a pull, per layer, as `docker pull` shows them. */
export const PullProgressSchema = z.object({
  id: z.string(),
  status: z.enum([
    'Already exists',
    'Pulling fs layer',
    'Downloading',
    'Download complete',
    'Extracting',
    'Pull complete',
  ]),
  current: z.number().int().nonnegative().optional(),
  total: z.number().int().nonnegative().optional(),
});
export type PullProgress = z.infer<typeof PullProgressSchema>;

export const ImageSummarySchema = z.object({
  Id: z.string(),
  RepoTags: z.array(z.string()),
  RepoDigests: z.array(z.string()),
  Created: z.string(),
  Size: z.number().int().nonnegative(),
});
export type ImageSummary = z.infer<typeof ImageSummarySchema>;

export const PullEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('progress'), progress: PullProgressSchema }),
  z.object({ type: z.literal('done'), image: ImageSummarySchema }),
]);
export type PullEvent = z.infer<typeof PullEventSchema>;

/**
 * An image's config as `docker image inspect` prints it: every key Docker always has (with its
 * ""/false/null defaults) beside the ones the image sets. The added keys are absent from older agents.
 */
export const ImageInspectConfigSchema = z
  .object({
    Hostname: z.string().optional(),
    Domainname: z.string().optional(),
    AttachStdin: z.boolean().optional(),
    AttachStdout: z.boolean().optional(),
    AttachStderr: z.boolean().optional(),
    Tty: z.boolean().optional(),
    OpenStdin: z.boolean().optional(),
    StdinOnce: z.boolean().optional(),
    Image: z.string().optional(),
    OnBuild: z.array(z.string()).nullish(),
  })
  .extend(ImageConfigSchema.shape.config.unwrap().unwrap().shape)
  .nullish();
export type ImageInspectConfig = z.infer<typeof ImageInspectConfigSchema>;

/** `docker image inspect`, in Docker's field names. */
export const ImageInspectSchema = z.object({
  Id: z.string(),
  RepoTags: z.array(z.string()),
  RepoDigests: z.array(z.string()),
  Created: z.string(),
  /** Parent, Comment, Author and GraphDriver: absent from older agents. */
  Parent: z.string().optional(),
  Comment: z.string().optional(),
  Author: z.string().optional(),
  Architecture: z.string(),
  Os: z.string(),
  Size: z.number().int().nonnegative(),
  GraphDriver: z.object({ Name: z.string(), Data: z.record(z.string(), z.string()) }).optional(),
  Config: ImageInspectConfigSchema,
  RootFS: z.object({ Type: z.literal('layers'), Layers: z.array(z.string()) }),
  /** The keys below: Docker's, absent from older agents. VirtualSize equals Size (no shared accounting). */
  VirtualSize: z.number().int().nonnegative().optional(),
  Container: z.string().optional(),
  DockerVersion: z.string().optional(),
  ContainerConfig: ImageInspectConfigSchema.optional(),
  Metadata: z.object({ LastTagTime: z.string() }).optional(),
});
export type ImageInspect = z.infer<typeof ImageInspectSchema>;

export const RemoveImageResultSchema = z.object({
  untagged: z.array(z.string()),
  deleted: z.array(z.string()),
});

export const RegistryHostSchema = z
  .string()
  .trim()
  .regex(/^[a-zA-Z0-9.-]+(:\d{1,5})?$|^\[[a-fA-F0-9:]+\](:\d{1,5})?$/, {
    message: 'must be a registry host[:port] such as registry.example.com or 127.0.0.1:5000',
  });
export const RegistryLoginInput = z.object({
  serverAddress: RegistryHostSchema,
  username: z.string().min(1, { message: 'must not be empty' }).max(256),
  password: z.string().min(1, { message: 'must not be empty' }).max(4096),
});
export const RegistryLogoutInput = z.object({ serverAddress: RegistryHostSchema });

/** One row of `docker history`, newest first. */
export const ImageHistoryEntrySchema = z.object({
  /** The image ID on the top row, `<missing>` below (as Docker shows for pulled images). */
  Id: z.string(),
  /** Unix seconds. */
  Created: z.number().int(),
  CreatedBy: z.string(),
  Tags: z.array(z.string()),
  Size: z.number().int().nonnegative(),
  Comment: z.string(),
});
export type ImageHistoryEntry = z.infer<typeof ImageHistoryEntrySchema>;

/** What a prune removed and how many bytes that freed. */
export const PruneReportSchema = z.object({
  deleted: z.array(z.string()),
  untagged: z.array(z.string()),
  spaceReclaimed: z.number().int().nonnegative(),
});
export type PruneReport = z.infer<typeof PruneReportSchema>;

/**
 * `docker system df`: per kind, how many, how many in use, bytes, and bytes a prune would free.
 * Beyond Docker's kinds: blobs and layers that unfinished pulls, loads and commits left.
 */
export const DiskUsageRowSchema = z.object({
  type: z.enum(['Images', 'Containers', 'Local Volumes', 'Build Cache', 'Logs', 'Unfinished Downloads']),
  total: z.number().int().nonnegative(),
  active: z.number().int().nonnegative(),
  size: z.number().int().nonnegative(),
  reclaimable: z.number().int().nonnegative(),
});
export type DiskUsageRow = z.infer<typeof DiskUsageRowSchema>;

/** One endpoint of a registry (a mirror or the upstream) as `registries.probe` found it. */
export const RegistryEndpointCheckSchema = z.object({
  url: z.string(),
  mirror: z.boolean(),
  reachable: z.boolean(),
  /** HTTP status of GET /v2/ (200 open, 401 wants credentials). */
  status: z.number().int().nullable(),
  latencyMs: z.number().nullable(),
  /** https with a verified certificate, plain http, or a TLS failure. */
  tls: z.enum(['verified', 'plain', 'failed']),
  /** What the registry asks for: nothing, Basic, or Bearer tokens (Docker Hub's flow). */
  auth: z.enum(['none', 'basic', 'bearer']).nullable(),
  error: z.string().nullable(),
});
export type RegistryEndpointCheck = z.infer<typeof RegistryEndpointCheckSchema>;

/** One `docker search` result. */
export const SearchResultSchema = z.object({
  Name: z.string(),
  Description: z.string(),
  StarCount: z.number().int().nonnegative(),
  IsOfficial: z.boolean(),
});
export type SearchResult = z.infer<typeof SearchResultSchema>;

/** `docker system df -v`: the rows behind each total. Sizes in bytes, times in Unix seconds. */
export const DiskUsageDetailsSchema = z.object({
  images: z.array(
    z.object({
      ID: z.string(),
      RepoTags: z.array(z.string()),
      Created: z.number(),
      Size: z.number(),
      SharedSize: z.number(),
      UniqueSize: z.number(),
      Containers: z.number().int(),
    }),
  ),
  containers: z.array(
    z.object({
      ID: z.string(),
      Image: z.string(),
      Command: z.string(),
      LocalVolumes: z.number().int(),
      Size: z.number(),
      Created: z.number(),
      Status: z.string(),
      Names: z.string(),
    }),
  ),
  volumes: z.array(z.object({ Name: z.string(), Links: z.number().int(), Size: z.number() })),
});
export type DiskUsageDetails = z.infer<typeof DiskUsageDetailsSchema>;

/** `docker push` progress, per blob (the short digest) in Docker's words. */
export const PushEventSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('progress'),
    id: z.string(),
    status: z.string(),
    current: z.number().int().nonnegative().optional(),
    total: z.number().int().nonnegative().optional(),
  }),
  z.object({ type: z.literal('done'), tag: z.string(), digest: z.string(), size: z.number().int() }),
]);
export type PushEvent = z.infer<typeof PushEventSchema>;
