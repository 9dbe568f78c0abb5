import { z } from 'zod';

/** Field schemas the container shapes share (internal: not exported from the package). */

export const EnvVarSchema = z.string().regex(/^[^=\0]+(=[^\0]*)?$/, {
  message: 'environment entries are KEY=VALUE (or KEY to take the value from the client), KEY not empty',
});

export const AbsolutePath = z.string().regex(/^\/[^\0]*$/, { message: 'must be an absolute path' });

export const HostnameSchema = z
  .string()
  .regex(/^$|^[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/, {
    message: 'a hostname is letters, digits, - and dots, each label 1-63 characters',
  });
