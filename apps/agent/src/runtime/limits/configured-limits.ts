import type { HostConfig, LimitField } from '@stevedore/shared';

/** A limit in its HostConfig unit (bytes, nano-CPUs, shares, µs, a cpuset); null = unlimited / unset. */
export type LimitValue = number | string | null;
export type LimitValues = Record<LimitField, LimitValue>;

/** The period `--cpus` uses (Docker's): quota = CPUs × 100 ms. */
export const NANO_CPUS_PERIOD_US = 100_000;

const positive = (value: number) => (value > 0 ? value : null);

/**
 * What the kernel should hold for each limit, from a container's HostConfig with Docker's
 * defaults applied: MemorySwap 0 with a memory limit means twice the memory, `--cpus` becomes a
 * quota over a 100 ms period, and a quota alone is also shown as CPUs.
 */
export function configuredLimits(host: Pick<HostConfig, LimitField>): LimitValues {
  const memory = positive(host.Memory);
  let memorySwap: number | null = null;
  if (memory !== null && host.MemorySwap >= 0) {
    memorySwap = host.MemorySwap === 0 ? memory * 2 : host.MemorySwap;
  }
  const fromNano = host.NanoCpus > 0;
  const cpuPeriod = fromNano ? NANO_CPUS_PERIOD_US : positive(host.CpuPeriod);
  const cpuQuota = fromNano
    ? Math.round((host.NanoCpus * NANO_CPUS_PERIOD_US) / 1e9)
    : positive(host.CpuQuota);
  const nanoCpus = fromNano
    ? host.NanoCpus
    : cpuQuota === null
      ? null
      : Math.round((cpuQuota * 1e9) / (cpuPeriod ?? NANO_CPUS_PERIOD_US));
  return {
    Memory: memory,
    MemorySwap: memorySwap,
    MemoryReservation: positive(host.MemoryReservation),
    NanoCpus: nanoCpus,
    CpuShares: positive(host.CpuShares),
    CpuPeriod: cpuPeriod,
    CpuQuota: cpuQuota,
    CpusetCpus: host.CpusetCpus || null,
    CpusetMems: host.CpusetMems || null,
    PidsLimit: host.PidsLimit !== null && host.PidsLimit > 0 ? host.PidsLimit : null,
    BlkioWeight: positive(host.BlkioWeight),
  };
}
