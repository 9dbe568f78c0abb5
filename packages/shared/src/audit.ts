import { z } from 'zod';

export const AuditEntrySchema = z.object({
  id: z.string(),
  at: z.string(),
  username: z.string(),
  action: z.string(),
  hostId: z.string().nullable(),
  target: z.string().nullable(),
  params: z.record(z.string(), z.unknown()),
  result: z.enum(['ok', 'error']),
  error: z.string().nullable(),
});
export type AuditEntry = z.infer<typeof AuditEntrySchema>;

export const ListAuditInput = z.object({
  limit: z.number().int().min(1).max(200).default(50),
  cursor: z.string().max(64).optional(),
});
