import { z } from 'zod';
import { HostIdInput } from './hosts.js';
import { PullProgressSchema, PushEventSchema, RegistryHostSchema } from './image-manifest.js';
import { ImageReferenceString } from './image-reference.js';

/** An image or a name of one, as the dashboard passes it to the engine. */
const ImageNameOrId = z.string().min(1).max(300);

/** A container that uses an image, enough to link to its page. */
export const ImageUserSchema = z.object({ id: z.string(), name: z.string(), state: z.string() });
export type ImageUser = z.infer<typeof ImageUserSchema>;

/** One image of one host on the Images tab: Docker's summary plus the containers made from it. */
export const HostImageRowSchema = z.object({
  id: z.string(),
  repoTags: z.array(z.string()),
  repoDigests: z.array(z.string()),
  created: z.string(),
  size: z.number().int().nonnegative(),
  usedBy: z.array(ImageUserSchema),
});
export type HostImageRow = z.infer<typeof HostImageRowSchema>;

export const HostImageInput = HostIdInput.extend({ image: ImageNameOrId });
export type HostImageInput = z.infer<typeof HostImageInput>;

export const ImagePullInput = HostIdInput.extend({ reference: ImageReferenceString });
export type ImagePullInput = z.infer<typeof ImagePullInput>;

export const ImageRemoveInput = HostImageInput.extend({ force: z.boolean().default(false) });
export type ImageRemoveInput = z.infer<typeof ImageRemoveInput>;

export const ImageTagInput = HostIdInput.extend({ source: ImageNameOrId, target: ImageReferenceString });
export type ImageTagInput = z.infer<typeof ImageTagInput>;

export const ImagePruneInput = HostIdInput.extend({ all: z.boolean().default(false) });
export type ImagePruneInput = z.infer<typeof ImagePruneInput>;

export const HostRegistryLoginInput = HostIdInput.extend({
  serverAddress: RegistryHostSchema,
  username: z.string().min(1, { message: 'must not be empty' }).max(256),
  password: z.string().min(1, { message: 'must not be empty' }).max(4096),
});
export type HostRegistryLoginInput = z.infer<typeof HostRegistryLoginInput>;

export const HostRegistryLogoutInput = HostIdInput.extend({ serverAddress: RegistryHostSchema });

/**
 * What a pull relayed to the browser says: the agent's per-layer progress (thinned to a few updates
 * a second per layer), then the image.
 */
export const ImagePullEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('progress'), progress: PullProgressSchema, at: z.number() }),
  z.object({
    type: z.literal('done'),
    image: z.object({ id: z.string(), repoTags: z.array(z.string()), size: z.number() }),
  }),
]);
export type ImagePullEvent = z.infer<typeof ImagePullEventSchema>;

/** What `docker image prune` would remove now, and how many bytes that frees (an estimate). */
export const ImagePrunePreviewSchema = z.object({
  images: z.array(
    z.object({ id: z.string(), repoTags: z.array(z.string()), size: z.number().int().nonnegative() }),
  ),
  bytes: z.number().int().nonnegative(),
});
export type ImagePrunePreview = z.infer<typeof ImagePrunePreviewSchema>;

/** `docker push NAME[:TAG]` on a host: the name must be a tag of a local image. */
export const ImagePushInput = HostIdInput.extend({ reference: ImageReferenceString });
export type ImagePushInput = z.infer<typeof ImagePushInput>;

/** A push relayed to the browser: per-blob progress (thinned like a pull's), then the digest. */
export const ImagePushEventSchema = PushEventSchema;
export type ImagePushEvent = z.infer<typeof ImagePushEventSchema>;

/** One image across the fleet: the same ID on every host that has it. */
export const FleetImageRowSchema = z.object({
  id: z.string(),
  repoTags: z.array(z.string()),
  repoDigests: z.array(z.string()),
  created: z.string(),
  size: z.number().int().nonnegative(),
  hosts: z.array(z.object({ hostId: z.string(), hostName: z.string(), containers: z.number().int() })),
});
export type FleetImageRow = z.infer<typeof FleetImageRowSchema>;

/** The fleet's images, and the hosts whose list could not be read (offline, failing). */
export const FleetImagesSchema = z.object({
  rows: z.array(FleetImageRowSchema),
  hosts: z.array(z.object({ hostId: z.string(), hostName: z.string(), error: z.string().nullable() })),
});
export type FleetImages = z.infer<typeof FleetImagesSchema>;

/** `docker save` from the browser: one or several images of a host, as one tar download. */
export const ImageSaveInput = HostIdInput.extend({
  images: z.array(ImageNameOrId).min(1, { message: 'name at least one image' }).max(100),
});
export type ImageSaveInput = z.infer<typeof ImageSaveInput>;

/** `docker load` from the browser: the archive is the request body; `file` is its name, for the audit log. */
export const ImageLoadInput = HostIdInput.extend({ file: z.string().max(255).default('') });
export type ImageLoadInput = z.infer<typeof ImageLoadInput>;

/** What a load brought in: each image's ID and the tags it carried. */
export const LoadedImagesSchema = z.array(z.object({ id: z.string(), tags: z.array(z.string()) }));
export type LoadedImages = z.infer<typeof LoadedImagesSchema>;

/** The registries a host is logged in to: server names only, never a credential. */
export const RegistryLoginsSchema = z.array(z.string());
