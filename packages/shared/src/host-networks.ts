import { z } from 'zod';
import {
  NetworkConnectSchema,
  NetworkCreateSchema,
  NetworkDisconnectSchema,
  NetworkInspectSchema,
} from './networks.js';

const HostIdSchema = z.string().min(1).max(64);

/** The networks every engine has and no one can remove: the default bridge and the `host`/`none` modes. */
export const BUILT_IN_NETWORKS = ['bridge', 'host', 'none'] as const;

export const HostNetworksInputSchema = z.object({ hostId: HostIdSchema });
export const HostNetworkRefSchema = z.object({ hostId: HostIdSchema, network: z.string().min(1).max(128) });
export type HostNetworkRef = z.infer<typeof HostNetworkRefSchema>;

export const HostNetworkCreateInputSchema = z.object({ hostId: HostIdSchema, network: NetworkCreateSchema });
export type HostNetworkCreateInput = z.input<typeof HostNetworkCreateInputSchema>;

export const HostNetworkConnectInputSchema = NetworkConnectSchema.extend({ hostId: HostIdSchema });
export type HostNetworkConnectInput = z.input<typeof HostNetworkConnectInputSchema>;

export const HostNetworkDisconnectInputSchema = NetworkDisconnectSchema.extend({ hostId: HostIdSchema });
export type HostNetworkDisconnectInput = z.input<typeof HostNetworkDisconnectInputSchema>;

/** A container on a network: running ones with their live address, stopped ones with the one they keep. */
export const NetworkMemberSchema = z.object({
  id: z.string(),
  name: z.string(),
  running: z.boolean(),
  /** "172.18.0.2/16"; empty for a stopped member without a fixed address. */
  ipv4Address: z.string(),
  macAddress: z.string(),
  aliases: z.array(z.string()),
});
export type NetworkMember = z.infer<typeof NetworkMemberSchema>;

/** One network as the host's Networks tab shows it. */
export const HostNetworkSchema = z.object({
  network: NetworkInspectSchema,
  members: z.array(NetworkMemberSchema),
  /** The default bridge and the host/none modes: never removable. */
  builtIn: z.boolean(),
});
export type HostNetwork = z.infer<typeof HostNetworkSchema>;

/** What a prune would remove: user networks no container (running or stopped) is on. */
export const NetworkPrunePreviewSchema = z.object({
  networks: z.array(z.object({ id: z.string(), name: z.string(), created: z.string() })),
});
export type NetworkPrunePreview = z.infer<typeof NetworkPrunePreviewSchema>;

/** Prune exactly the previewed networks (by ID), so nothing created since the preview goes too. */
export const HostNetworkPruneInputSchema = z.object({
  hostId: HostIdSchema,
  networks: z.array(z.string().min(1).max(128)).min(1).max(500),
});
export type HostNetworkPruneInput = z.infer<typeof HostNetworkPruneInputSchema>;

/** Each previewed item removed, or kept with the engine's reason (a container joined it meanwhile). */
export const PruneOutcomeSchema = z.object({
  removed: z.array(z.string()),
  kept: z.array(z.object({ name: z.string(), reason: z.string() })),
  /** Bytes freed (volumes: the previewed sizes of those removed); 0 for networks. */
  spaceReclaimed: z.number().nonnegative(),
});
export type PruneOutcome = z.infer<typeof PruneOutcomeSchema>;

export const isBuiltInNetwork = (network: { Name: string; Options: Record<string, string> }): boolean =>
  (BUILT_IN_NETWORKS as readonly string[]).includes(network.Name) ||
  network.Options['com.docker.network.bridge.default_bridge'] === 'true';
