import {
  ContainerConfigSchema,
  ContainerStateSchema,
  HostConfigSchema,
  MountPointSchema,
} from '@stevedore/shared';
import { z } from 'zod';

/** What the agent keeps per container (`containers/<id>/container.json`). */
export const ContainerRecordSchema = z.object({
  Id: z.string().regex(/^[a-f0-9]{64}$/),
  Name: z.string(),
  Created: z.string(),
  /** The image as the user named it, and its ID. */
  ImageName: z.string(),
  ImageId: z.string(),
  /** The chain ID of the image's top layer, the container layer's parent. */
  ImageChainId: z.string(),
  Config: ContainerConfigSchema,
  HostConfig: HostConfigSchema,
  State: ContainerStateSchema,
  RestartCount: z.number().int().nonnegative(),
  /** Stopped by a person (stop/kill): `unless-stopped` and `always` leave it stopped. */
  ManuallyStopped: z.boolean(),
  Mounts: z.array(MountPointSchema),
});
export type ContainerRecord = z.infer<typeof ContainerRecordSchema>;

export const initialState = (): ContainerRecord['State'] => ({
  Status: 'created',
  Running: false,
  Paused: false,
  Restarting: false,
  OOMKilled: false,
  Dead: false,
  Pid: 0,
  ExitCode: 0,
  Error: '',
  StartedAt: '0001-01-01T00:00:00Z',
  FinishedAt: '0001-01-01T00:00:00Z',
});
