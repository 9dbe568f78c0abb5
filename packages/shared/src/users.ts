import { z } from 'zod';
import { PasswordSchema, RoleSchema, UsernameSchema } from './auth.js';

export const CreateUserInput = z.object({
  username: UsernameSchema,
  password: PasswordSchema,
  role: RoleSchema,
});
export type CreateUserInput = z.infer<typeof CreateUserInput>;

export const SetUserRoleInput = z.object({ userId: z.string().min(1).max(64), role: RoleSchema });
export type SetUserRoleInput = z.infer<typeof SetUserRoleInput>;

export const UserIdInput = z.object({ userId: z.string().min(1).max(64) });

export const UserSummarySchema = z.object({
  id: z.string(),
  username: z.string(),
  role: RoleSchema,
  createdAt: z.string(),
  /** Hosts an operator may operate; admins operate every host, viewers none. */
  hostIds: z.array(z.string()),
});
export type UserSummary = z.infer<typeof UserSummarySchema>;

export const SetUserHostsInput = z.object({
  userId: z.string().min(1).max(64),
  hostIds: z.array(z.string().min(1).max(64)).max(1000),
});
export type SetUserHostsInput = z.infer<typeof SetUserHostsInput>;
