import { FleetEventSchema, HostStatusSchema } from '@stevedore/shared';
import { z } from 'zod';

/** The one LISTEN/NOTIFY channel the dashboard processes share. */
export const CLUSTER_CHANNEL = 'stevedore_cluster';

/** PostgreSQL refuses NOTIFY payloads of 8000 bytes or more; keep a margin. */
export const MAX_PAYLOAD_BYTES = 7_900;

/**
 * What one process tells the others: an engine event of a host it follows (whole, or by id when
 * too large: the receiver reads it from the database), or a followed host's new state.
 */
export const ClusterMessageSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('event'), from: z.string(), event: FleetEventSchema }),
  z.object({ kind: z.literal('event-id'), from: z.string(), id: z.string() }),
  z.object({ kind: z.literal('status'), from: z.string(), status: HostStatusSchema }),
]);
export type ClusterMessage = z.infer<typeof ClusterMessageSchema>;

/** The payload for `message`, or null when it does not fit a notification. */
export function encodeMessage(message: ClusterMessage): string | null {
  const payload = JSON.stringify(message);
  return Buffer.byteLength(payload) <= MAX_PAYLOAD_BYTES ? payload : null;
}

/** A received payload, validated; null (and the reason) when it is not one of ours. */
export function decodeMessage(payload: string): { message: ClusterMessage } | { error: string } {
  let json: unknown;
  try {
    json = JSON.parse(payload);
  } catch (error) {
    return { error: `not JSON: ${(error as Error).message}` };
  }
  const parsed = ClusterMessageSchema.safeParse(json);
  return parsed.success ? { message: parsed.data } : { error: parsed.error.message };
}
