import { z } from 'zod';
import { AbsolutePath } from './fields.js';
import { RestartPolicySchema } from './restart-policy.js';

export const MIN_MEMORY_BYTES = 6 * 1024 * 1024;

const ThrottleDeviceSchema = z.object({
  Path: AbsolutePath,
  Rate: z.number().int().nonnegative(),
});

const UlimitSchema = z
  .object({
    Name: z.enum(
      [
        'core',
        'cpu',
        'data',
        'fsize',
        'locks',
        'memlock',
        'msgqueue',
        'nice',
        'nofile',
        'nproc',
        'rss',
        'rtprio',
        'rttime',
        'sigpending',
        'stack',
      ],
      {
        message:
          'unknown ulimit: use one of core, cpu, data, fsize, locks, memlock, msgqueue, nice, nofile, nproc, rss, rtprio, rttime, sigpending, stack',
      },
    ),
    Soft: z.number().int().nonnegative(),
    Hard: z.number().int().nonnegative(),
  })
  .refine((u) => u.Soft <= u.Hard, { message: 'a ulimit soft value cannot be above its hard value' });

/** The limits `docker run` and `docker update` take, in bytes / nano-CPUs / shares. */
export const ResourcesShape = {
  Memory: z.number().int().nonnegative().default(0),
  /** Memory + swap; -1 unlimited swap, 0 unset (twice Memory, like Docker). */
  MemorySwap: z.number().int().min(-1).default(0),
  MemoryReservation: z.number().int().nonnegative().default(0),
  OomKillDisable: z.boolean().default(false),
  NanoCpus: z.number().int().nonnegative().default(0),
  CpuShares: z
    .number()
    .int()
    .refine((v) => v === 0 || (v >= 2 && v <= 262144), { message: 'CPU shares must be between 2 and 262144' })
    .default(0),
  CpuPeriod: z
    .number()
    .int()
    .refine((v) => v === 0 || (v >= 1000 && v <= 1_000_000), {
      message: 'CPU period must be between 1000 and 1000000 microseconds (1 ms to 1 s)',
    })
    .default(0),
  CpuQuota: z
    .number()
    .int()
    .refine((v) => v <= 0 || v >= 1000, { message: 'CPU quota must be at least 1000 microseconds (1 ms)' })
    .default(0),
  CpusetCpus: z
    .string()
    .regex(/^$|^\d+(-\d+)?(,\d+(-\d+)?)*$/, { message: 'a cpuset is numbers and ranges such as 0-3,5' })
    .default(''),
  CpusetMems: z
    .string()
    .regex(/^$|^\d+(-\d+)?(,\d+(-\d+)?)*$/, { message: 'a cpuset is numbers and ranges such as 0-3,5' })
    .default(''),
  /** ≤ 0 or null: unlimited. */
  PidsLimit: z.number().int().nullable().default(null),
  BlkioWeight: z
    .number()
    .int()
    .refine((v) => v === 0 || (v >= 10 && v <= 1000), { message: 'blkio weight must be between 10 and 1000' })
    .default(0),
  BlkioDeviceReadBps: z.array(ThrottleDeviceSchema).default([]),
  BlkioDeviceWriteBps: z.array(ThrottleDeviceSchema).default([]),
  Ulimits: z.array(UlimitSchema).default([]),
};

type ResourceFields = { [K in keyof typeof ResourcesShape]: z.output<(typeof ResourcesShape)[K]> };

/** Rules that tie limits together, with Docker's wording where Docker has one. */
export function checkResourceCombination(r: Partial<ResourceFields>, ctx: z.RefinementCtx): void {
  const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
  if (r.Memory && r.Memory < MIN_MEMORY_BYTES) {
    issue('Memory', 'Minimum memory limit allowed is 6MB');
  }
  if (r.MemorySwap && r.MemorySwap > 0) {
    if (!r.Memory) issue('MemorySwap', 'You should always set the Memory limit when using Memoryswap limit');
    else if (r.MemorySwap < r.Memory)
      issue('MemorySwap', 'Minimum memoryswap limit should be larger than memory limit, see usage');
  }
  if (r.MemoryReservation && r.Memory && r.MemoryReservation > r.Memory) {
    issue(
      'MemoryReservation',
      'Minimum memory limit can not be less than memory reservation limit, see usage',
    );
  }
  if (r.MemoryReservation && r.MemoryReservation < MIN_MEMORY_BYTES) {
    issue('MemoryReservation', 'Minimum memory reservation allowed is 6MB');
  }
  if (r.NanoCpus && (r.CpuQuota || r.CpuPeriod)) {
    issue('NanoCpus', 'Conflicting options: Nano CPUs cannot be set together with CPU period or quota');
  }
}

export const ResourcesSchema = z.object(ResourcesShape).superRefine(checkResourceCombination);
export type Resources = z.infer<typeof ResourcesSchema>;

/** `docker update`: only what is given changes. */
export const ResourcesUpdateSchema = z
  .object({
    Memory: ResourcesShape.Memory.removeDefault().optional(),
    MemorySwap: ResourcesShape.MemorySwap.removeDefault().optional(),
    MemoryReservation: ResourcesShape.MemoryReservation.removeDefault().optional(),
    NanoCpus: ResourcesShape.NanoCpus.removeDefault().optional(),
    CpuShares: ResourcesShape.CpuShares.removeDefault().optional(),
    CpuPeriod: ResourcesShape.CpuPeriod.removeDefault().optional(),
    CpuQuota: ResourcesShape.CpuQuota.removeDefault().optional(),
    CpusetCpus: ResourcesShape.CpusetCpus.removeDefault().optional(),
    CpusetMems: ResourcesShape.CpusetMems.removeDefault().optional(),
    PidsLimit: z.number().int().optional(),
    BlkioWeight: ResourcesShape.BlkioWeight.removeDefault().optional(),
    RestartPolicy: RestartPolicySchema.optional(),
  })
  .superRefine(checkResourceCombination);
export type ResourcesUpdate = z.infer<typeof ResourcesUpdateSchema>;
