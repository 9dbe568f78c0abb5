import { z } from 'zod';

export const ContainerNameSchema = z
  .string()
  .regex(/^\/?[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}$/, {
    message: 'Invalid container name: only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed (at most 128 characters)',
  })
  .transform((name) => name.replace(/^\//, ''));

/** A container name, full or short ID (12+ hex), as every container command accepts. */
export const ContainerRefSchema = z.string().min(1).max(200);
