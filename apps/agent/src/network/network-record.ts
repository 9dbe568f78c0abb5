import { EndpointSettingsSchema, parseCidr } from '@stevedore/shared';
import { z } from 'zod';

/** A container's place on a network: its address, name for DNS and aliases. */
export const EndpointRecordSchema = EndpointSettingsSchema.pick({
  EndpointID: true,
  IPAddress: true,
  MacAddress: true,
  Aliases: true,
}).extend({
  /** The container's name, which other members resolve on user networks. */
  ContainerName: z.string(),
  /** The address asked for (`--ip`): a replacement of the container asks for it again. */
  RequestedAddress: z.string().optional(),
});
export type EndpointRecord = z.infer<typeof EndpointRecordSchema>;

/** What the agent keeps per network (`<data-root>/networks/<id>.json`). */
export const NetworkRecordSchema = z.object({
  Id: z.string().regex(/^[a-f0-9]{64}$/),
  Name: z.string(),
  Created: z.string(),
  /** The Linux bridge behind the network. */
  Bridge: z.string(),
  Subnet: z.string(),
  Gateway: z.string(),
  Internal: z.boolean(),
  Labels: z.record(z.string(), z.string()),
  /** The agent's default bridge network ("bridge"): no DNS, cannot be removed. */
  Default: z.boolean(),
  /** Keyed by container ID. */
  Endpoints: z.record(z.string(), EndpointRecordSchema),
});
export type NetworkRecord = z.infer<typeof NetworkRecordSchema>;

/** The network's prefix length (24 for 10.1.2.0/24): what its addresses are configured with. */
export function prefixOf(network: Pick<NetworkRecord, 'Subnet'>): number {
  return parseCidr(network.Subnet)?.subnet.prefix ?? 32;
}
