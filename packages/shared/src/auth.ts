import { z } from 'zod';

export const Roles = ['admin', 'operator', 'viewer'] as const;
export const RoleSchema = z.enum(Roles);
export type Role = z.infer<typeof RoleSchema>;

export const UsernameSchema = z
  .string()
  .trim()
  .regex(/^[a-z0-9][a-z0-9._-]{1,31}$/i, {
    message: 'must be 2-32 characters: letters, digits, ".", "_" or "-", starting with a letter or digit',
  });
export const PasswordSchema = z
  .string()
  .min(10, { message: 'must be at least 10 characters' })
  .max(256, { message: 'must be at most 256 characters' });

export const LoginInput = z.object({ username: UsernameSchema, password: z.string().min(1).max(256) });
export type LoginInput = z.infer<typeof LoginInput>;
/** The first admin: `setupCode` is the one-time code the server wrote at start (`npm start` prints it). */
export const CreateFirstAdminInput = z.object({
  username: UsernameSchema,
  password: PasswordSchema,
  setupCode: z.string().trim().min(1, { message: 'enter the set-up code that npm start printed' }).max(64),
});
export type CreateFirstAdminInput = z.infer<typeof CreateFirstAdminInput>;

export const SessionUserSchema = z.object({ id: z.string(), username: z.string(), role: RoleSchema });
export type SessionUser = z.infer<typeof SessionUserSchema>;
