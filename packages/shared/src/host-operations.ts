import { z } from 'zod';
import { ContainerRefSchema } from './containers/index.js';

/** Lifecycle actions an operator may take on a container of a host granted to them. */
export const ContainerActionSchema = z.enum([
  'start',
  'stop',
  'restart',
  'kill',
  'pause',
  'unpause',
  'remove',
]);
export type ContainerAction = z.infer<typeof ContainerActionSchema>;

export const HostContainerActionInput = z.object({
  hostId: z.string().min(1).max(64),
  container: ContainerRefSchema,
  action: ContainerActionSchema,
});
export type HostContainerActionInput = z.infer<typeof HostContainerActionInput>;
