import { z } from 'zod';

export const RestartPolicySchema = z.object({
  Name: z.enum(['', 'no', 'always', 'unless-stopped', 'on-failure'], {
    message: 'restart policy must be no, always, unless-stopped or on-failure[:max-retries]',
  }),
  MaximumRetryCount: z.number().int().nonnegative().default(0),
});
export type RestartPolicy = z.infer<typeof RestartPolicySchema>;

/** `on-failure:3` → { Name: 'on-failure', MaximumRetryCount: 3 } (the `--restart` syntax). */
export function parseRestartPolicy(text: string): RestartPolicy {
  const [name = '', count, extra] = text.split(':');
  const retries = count === undefined ? 0 : Number(count);
  const valid = ['no', 'always', 'unless-stopped', 'on-failure'].includes(name);
  if (!valid || extra !== undefined || !Number.isInteger(retries) || retries < 0) {
    throw new RangeError(
      `invalid restart policy "${text}": use no, always, unless-stopped or on-failure[:max-retries]`,
    );
  }
  if (count !== undefined && name !== 'on-failure') {
    throw new RangeError(`invalid restart policy "${text}": only on-failure takes a maximum retry count`);
  }
  return RestartPolicySchema.parse({ Name: name, MaximumRetryCount: retries });
}
