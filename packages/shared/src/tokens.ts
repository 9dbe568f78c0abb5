import { z } from 'zod';

/** API tokens let remote callers (TCP/TLS) reach an agent; the plaintext is shown once, at creation. */
export const TokenNameSchema = z
  .string()
  .trim()
  .regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,63}$/, {
    message: 'must be 1-64 characters: letters, digits, ".", "_" or "-", starting with a letter or digit',
  });

export const TokenIdSchema = z
  .string()
  .regex(/^[0-9a-f]{12}$/, { message: 'must be a 12-character token ID' });

export const CreateTokenInput = z.object({ name: TokenNameSchema });
export type CreateTokenInput = z.infer<typeof CreateTokenInput>;

export const RemoveTokenInput = z.object({ id: TokenIdSchema });
export type RemoveTokenInput = z.infer<typeof RemoveTokenInput>;

export const TokenSummarySchema = z.object({
  id: TokenIdSchema,
  name: z.string(),
  createdAt: z.string().describe('RFC 3339'),
});
export type TokenSummary = z.infer<typeof TokenSummarySchema>;

export const TokenListSchema = z.array(TokenSummarySchema);

export const CreatedTokenSchema = TokenSummarySchema.extend({
  token: z.string().describe('the plaintext bearer token; never retrievable again'),
});
export type CreatedToken = z.infer<typeof CreatedTokenSchema>;
