import { type CgroupReading, type LimitField, parseCpuSet } from '@stevedore/shared';
import { type LimitValue, type LimitValues, NANO_CPUS_PERIOD_US } from './configured-limits.js';

/**
 * A container's limits read back from its cgroup files and turned into HostConfig units, each
 * compared with what the configuration asks for. Pure: the files come through `read`.
 */
export interface ReadingContext {
  /**
   * A file of the container's cgroup by name ("memory.max"; on v1 the controller is the name's
   * first part, "memory.limit_in_bytes" is in the memory hierarchy); null when it does not exist.
   */
  read(file: string): string | null;
  configured: LimitValues;
  pageSize: number;
  /** What a container without a cpuset gets: every CPU and memory node of the host ("0-3"). */
  allCpus: string;
  allMemoryNodes: string;
}

/** v1 writes "no limit" as the largest page-aligned 64-bit value (9223372036854771712). */
const V1_UNLIMITED = 2 ** 62;
/** The kernel's defaults: what an unset limit reads as. */
export const DEFAULT_CPU_SHARES = 1024;
export const DEFAULT_CPU_WEIGHT = 100;
const DEFAULT_BFQ_WEIGHT = 100;

/** v1 byte limits: a number, -1 or a huge value for "unlimited" (null). */
export function parseV1Bytes(raw: string): number | null {
  const value = parseNumber(raw);
  return value < 0 || value >= V1_UNLIMITED ? null : value;
}

/** v2 limits: a number or "max" (null). */
export function parseV2Max(raw: string): number | null {
  return raw === 'max' ? null : parseNumber(raw);
}

/** v2 `cpu.max`: "QUOTA PERIOD", QUOTA "max" when unlimited. */
export function parseCpuMax(raw: string): { quota: number | null; period: number } {
  const [quota = '', period = String(NANO_CPUS_PERIOD_US)] = raw.split(/\s+/);
  return { quota: parseV2Max(quota), period: parseNumber(period) };
}

/** A weight file: "100", or v2's "default 100" followed by per-device lines. */
export function parseWeight(raw: string): number {
  const first = raw.split('\n')[0]?.trim() ?? '';
  return parseNumber(first.startsWith('default ') ? first.slice('default '.length) : first);
}

/** runc's conversion of CPU shares (2–262144) to a cgroup v2 weight (1–10000). */
export function sharesToWeight(shares: number): number {
  return 1 + Math.floor(((shares - 2) * 9999) / 262142);
}

/** The fewest shares that give `weight` (the inverse of `sharesToWeight`). */
export function weightToShares(weight: number): number {
  return 2 + Math.ceil(((weight - 1) * 262142) / 9999);
}

/** runc's conversion of a blkio weight (10–1000) to a v2 io.weight (1–10000). */
export function blkioToIoWeight(weight: number): number {
  return 1 + Math.floor(((weight - 10) * 9999) / 990);
}

export function ioWeightToBlkio(weight: number): number {
  return 10 + Math.ceil(((weight - 1) * 990) / 9999);
}

function parseNumber(raw: string): number {
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value)) throw new RangeError(`not a number: "${raw}"`);
  return value;
}

const show = (value: LimitValue) => (value === null ? 'unlimited' : String(value));

type Comparison = { matches: boolean; note?: string };

function differs(applied: LimitValue, configured: LimitValue, why = ''): Comparison {
  return {
    matches: false,
    note: `the kernel holds ${show(applied)}, the configuration asks for ${show(configured)}${why}`,
  };
}

/** Byte limits: the kernel keeps whole pages, so a limit a page fraction below the asked one is the same limit. */
function compareBytes(applied: number | null, configured: LimitValue, pageSize: number): Comparison {
  if (applied === configured) return { matches: true };
  if (applied !== null && typeof configured === 'number') {
    const below = configured - applied;
    if (below > 0 && below < pageSize) {
      return { matches: true, note: `rounded down to whole ${pageSize}-byte pages by the kernel` };
    }
  }
  return differs(applied, configured);
}

function compareExact(applied: LimitValue, configured: LimitValue): Comparison {
  return applied === configured ? { matches: true } : differs(applied, configured);
}

/** A limit the kernel always holds a value for: unset matches the kernel's default. */
function compareWithDefault(applied: number, configured: LimitValue, kernelDefault: number): Comparison {
  if (configured === null) {
    return applied === kernelDefault
      ? { matches: true, note: `not set: the kernel's default ${kernelDefault}` }
      : differs(applied, null, ` (unset should read as the default ${kernelDefault})`);
  }
  return compareExact(applied, configured);
}

/** CPUs from quota and period; quotas are whole µs, so a conversion within one µs is the same. */
function compareNanoCpus(applied: number | null, period: number, configured: LimitValue): Comparison {
  if (applied === configured) return { matches: true };
  if (applied !== null && typeof configured === 'number' && Math.abs(applied - configured) < 1e9 / period) {
    return { matches: true, note: 'the quota is kept in whole microseconds' };
  }
  return differs(applied, configured);
}

/** Cpusets as sets ("0,1" and "0-1" are the same); unset matches every CPU (or node) of the host. */
function compareCpuset(applied: string, configured: LimitValue, all: string): Comparison {
  const same = (a: string, b: string) => {
    try {
      return parseCpuSet(a).join(',') === parseCpuSet(b).join(',');
    } catch {
      return a === b;
    }
  };
  if (configured === null) {
    if (applied === '' || same(applied, all)) return { matches: true, note: 'not set: all of the host' };
    return differs(applied, null, ` (unset should be all of the host: ${all})`);
  }
  if (applied !== '' && same(applied, String(configured))) return { matches: true };
  return differs(applied || 'all of the host', configured);
}

interface Build {
  readings: CgroupReading[];
  ctx: ReadingContext;
}

/** Reads `file` and adds a reading made by `convert`; a missing file adds none, an unreadable value adds a mismatch. */
function add(
  build: Build,
  field: LimitField,
  file: string,
  convert: (raw: string) => { applied: LimitValue } & Comparison,
  raw = build.ctx.read(file)?.trim() ?? null,
): void {
  if (raw === null) return;
  const configured = build.ctx.configured[field];
  try {
    const { applied, matches, note } = convert(raw);
    build.readings.push({ field, file, raw, applied, configured, matches, ...(note ? { note } : {}) });
  } catch (error) {
    build.readings.push({
      field,
      file,
      raw,
      applied: null,
      configured,
      matches: false,
      note: `cannot read the value: ${(error as Error).message}`,
    });
  }
}

function bytes(build: Build, field: LimitField, file: string, parse: (raw: string) => number | null): void {
  add(build, field, file, (raw) => {
    const applied = parse(raw);
    return { applied, ...compareBytes(applied, build.ctx.configured[field], build.ctx.pageSize) };
  });
}

function cpusets(build: Build): void {
  const { ctx } = build;
  add(build, 'CpusetCpus', 'cpuset.cpus', (raw) => ({
    applied: raw || null,
    ...compareCpuset(raw, ctx.configured.CpusetCpus, ctx.allCpus),
  }));
  add(build, 'CpusetMems', 'cpuset.mems', (raw) => ({
    applied: raw || null,
    ...compareCpuset(raw, ctx.configured.CpusetMems, ctx.allMemoryNodes),
  }));
}

function pids(build: Build): void {
  add(build, 'PidsLimit', 'pids.max', (raw) => {
    const applied = parseV2Max(raw);
    return { applied, ...compareExact(applied, build.ctx.configured.PidsLimit) };
  });
}

function cpuLimit(build: Build, quota: number | null, period: number, file: string, raw: string): void {
  const configured = build.ctx.configured;
  add(
    build,
    'NanoCpus',
    file,
    () => {
      const applied = quota === null ? null : Math.round((quota * 1e9) / period);
      return { applied, ...compareNanoCpus(applied, period, configured.NanoCpus) };
    },
    raw,
  );
  add(build, 'CpuQuota', file, () => ({ applied: quota, ...compareExact(quota, configured.CpuQuota) }), raw);
  add(
    build,
    'CpuPeriod',
    file,
    () => ({ applied: period, ...compareWithDefault(period, configured.CpuPeriod, NANO_CPUS_PERIOD_US) }),
    raw,
  );
}

/** v1: one hierarchy per controller, Docker's own files. */
export function readV1Limits(ctx: ReadingContext): CgroupReading[] {
  const build: Build = { readings: [], ctx };
  bytes(build, 'Memory', 'memory.limit_in_bytes', parseV1Bytes);
  bytes(build, 'MemorySwap', 'memory.memsw.limit_in_bytes', parseV1Bytes);
  bytes(build, 'MemoryReservation', 'memory.soft_limit_in_bytes', parseV1Bytes);

  const quotaRaw = ctx.read('cpu.cfs_quota_us')?.trim();
  const periodRaw = ctx.read('cpu.cfs_period_us')?.trim();
  if (quotaRaw !== undefined && periodRaw !== undefined) {
    const file = 'cpu.cfs_quota_us, cpu.cfs_period_us';
    const raw = `${quotaRaw}, ${periodRaw}`;
    try {
      cpuLimit(build, parseV1Bytes(quotaRaw), parseNumber(periodRaw), file, raw);
    } catch (error) {
      add(
        build,
        'NanoCpus',
        file,
        () => {
          throw error;
        },
        raw,
      );
    }
  }
  add(build, 'CpuShares', 'cpu.shares', (raw) => {
    const applied = parseNumber(raw);
    return { applied, ...compareWithDefault(applied, ctx.configured.CpuShares, DEFAULT_CPU_SHARES) };
  });
  cpusets(build);
  pids(build);
  const weightFile = ['blkio.weight', 'blkio.bfq.weight'].find((file) => ctx.read(file) !== null);
  if (weightFile) {
    add(build, 'BlkioWeight', weightFile, (raw) => {
      const applied = parseWeight(raw);
      const configured = ctx.configured.BlkioWeight;
      // The scheduler starts every group at its own default (CFQ 500, BFQ 100): unset is whatever it holds.
      if (configured === null)
        return { applied, matches: true, note: 'not set: the I/O scheduler’s default' };
      return { applied, ...compareExact(applied, configured) };
    });
  }
  return build.readings;
}

/** v2: one unified tree; memory+swap, CPU shares and blkio weight are converted back to Docker's units. */
export function readV2Limits(ctx: ReadingContext): CgroupReading[] {
  const build: Build = { readings: [], ctx };
  const { configured } = ctx;
  bytes(build, 'Memory', 'memory.max', parseV2Max);
  add(build, 'MemorySwap', 'memory.swap.max', (raw) => {
    const swap = parseV2Max(raw);
    const memoryRaw = ctx.read('memory.max')?.trim();
    const memory = memoryRaw === undefined ? null : parseV2Max(memoryRaw);
    const applied = swap === null || memory === null ? null : memory + swap;
    const compared = compareBytes(applied, configured.MemorySwap, ctx.pageSize);
    const note = 'memory.max + memory.swap.max (v2 limits swap alone)';
    return { applied, ...compared, note: compared.note ? `${note}; ${compared.note}` : note };
  });
  add(build, 'MemoryReservation', 'memory.low', (raw) => {
    const low = parseV2Max(raw);
    // memory.low 0 is no protection: the v2 spelling of "no reservation".
    const applied = low === 0 ? null : low;
    return { applied, ...compareBytes(applied, configured.MemoryReservation, ctx.pageSize) };
  });

  const cpuMaxRaw = ctx.read('cpu.max')?.trim();
  if (cpuMaxRaw !== undefined) {
    let parsed: { quota: number | null; period: number } | null = null;
    try {
      parsed = parseCpuMax(cpuMaxRaw);
    } catch {
      add(
        build,
        'NanoCpus',
        'cpu.max',
        () => {
          throw new RangeError(`not "QUOTA PERIOD": "${cpuMaxRaw}"`);
        },
        cpuMaxRaw,
      );
    }
    if (parsed) {
      cpuLimit(build, parsed.quota, parsed.period, 'cpu.max', cpuMaxRaw);
    }
  }
  add(build, 'CpuShares', 'cpu.weight', (raw) => {
    const weight = parseNumber(raw);
    const shares = configured.CpuShares;
    const expected = typeof shares === 'number' ? sharesToWeight(shares) : DEFAULT_CPU_WEIGHT;
    if (weight === expected) {
      return shares === null
        ? {
            applied: null,
            matches: true,
            note: `not set: the kernel's default cpu.weight ${DEFAULT_CPU_WEIGHT}`,
          }
        : {
            applied: shares,
            matches: true,
            note: `v2 holds cpu.weight ${weight}: runc turns shares into 1 + (shares − 2) × 9999 / 262142`,
          };
    }
    const applied = weightToShares(weight);
    return {
      applied,
      ...differs(
        applied,
        shares,
        ` (cpu.weight ${weight}, expected ${expected}; shares converted back from the weight)`,
      ),
    };
  });
  cpusets(build);
  pids(build);
  const bfq = ctx.read('io.bfq.weight');
  if (bfq !== null) {
    add(
      build,
      'BlkioWeight',
      'io.bfq.weight',
      (raw) => {
        const applied = parseWeight(raw);
        const wanted = configured.BlkioWeight;
        if (wanted === null)
          return { applied: null, ...compareWithDefault(applied, null, DEFAULT_BFQ_WEIGHT) };
        return { applied, ...compareExact(applied, wanted) };
      },
      bfq.trim(),
    );
  } else {
    add(build, 'BlkioWeight', 'io.weight', (raw) => {
      const weight = parseWeight(raw);
      const wanted = configured.BlkioWeight;
      const note = `v2 holds io.weight ${weight}; runc turns a blkio weight into 1 + (weight − 10) × 9999 / 990`;
      if (wanted === null) {
        return weight === DEFAULT_CPU_WEIGHT
          ? { applied: null, matches: true, note: 'not set: the kernel’s default io.weight 100' }
          : { applied: ioWeightToBlkio(weight), ...differs(ioWeightToBlkio(weight), null) };
      }
      return weight === blkioToIoWeight(Number(wanted))
        ? { applied: wanted, matches: true, note }
        : { applied: ioWeightToBlkio(weight), ...differs(ioWeightToBlkio(weight), wanted, ` (${note})`) };
    });
  }
  return build.readings;
}

export function readLimits(version: '1' | '2', ctx: ReadingContext): CgroupReading[] {
  return version === '1' ? readV1Limits(ctx) : readV2Limits(ctx);
}
