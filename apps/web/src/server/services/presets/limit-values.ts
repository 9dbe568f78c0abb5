import {
  type HostConfig,
  type LimitChange,
  type LimitValue,
  PRESET_FIELDS,
  type PresetField,
  type ResourcesUpdate,
} from '@stevedore/shared';

/**
 * A container's limits as presets see them: read from its HostConfig (inspect), compared with a
 * preset's values field by field. Spellings of "unlimited" that mean the same (a pids limit of 0,
 * -1 or none) compare equal; a restart policy compares as `name[:retries]`.
 */

type LimitSource = Pick<HostConfig, Exclude<PresetField, never>>;

/** One field's value in a comparable form. */
export function limitValueOf(field: PresetField, source: Partial<LimitSource> | ResourcesUpdate): LimitValue {
  if (field === 'RestartPolicy') {
    const policy = source.RestartPolicy;
    if (!policy) return null;
    const name = policy.Name === '' ? 'no' : policy.Name;
    return policy.MaximumRetryCount > 0 ? `${name}:${policy.MaximumRetryCount}` : name;
  }
  const value = source[field];
  if (value === undefined || value === null) return null;
  if (field === 'PidsLimit') return typeof value === 'number' && value > 0 ? value : null;
  return value as number | string;
}

/** The fields a preset sets, in display order. */
export const fieldsOf = (limits: ResourcesUpdate): PresetField[] =>
  PRESET_FIELDS.filter((field) => limits[field] !== undefined);

/** What applying `limits` changes on a container whose HostConfig is `current`. */
export function changesFor(current: LimitSource, limits: ResourcesUpdate): LimitChange[] {
  return fieldsOf(limits).flatMap((field) => {
    const from = limitValueOf(field, current);
    const to = limitValueOf(field, limits);
    return from === to ? [] : [{ field, from, to }];
  });
}

/** The fields whose current value no longer matches the values applied (drift). */
export function differencesFrom(
  current: LimitSource,
  applied: ResourcesUpdate,
): { field: PresetField; expected: LimitValue; actual: LimitValue }[] {
  return changesFor(current, applied).map(({ field, from, to }) => ({ field, expected: to, actual: from }));
}

/**
 * Every limit a preset may touch, as they are now: what a rollback re-applies. All of them, not only
 * the preset's, because `update` moves some implicitly (memory+swap follows memory; CPUs and
 * period/quota exclude each other).
 */
export function snapshotOf(current: LimitSource, limits: ResourcesUpdate): ResourcesUpdate {
  const snapshot: ResourcesUpdate = {
    Memory: current.Memory,
    MemorySwap: current.MemorySwap,
    MemoryReservation: current.MemoryReservation,
    CpuShares: current.CpuShares,
    CpusetCpus: current.CpusetCpus,
    CpusetMems: current.CpusetMems,
    PidsLimit: current.PidsLimit ?? 0,
    BlkioWeight: current.BlkioWeight,
  };
  // NanoCpus and CpuPeriod/CpuQuota cannot be given together; say the one in force.
  if (current.NanoCpus > 0) snapshot.NanoCpus = current.NanoCpus;
  else {
    snapshot.CpuPeriod = current.CpuPeriod;
    snapshot.CpuQuota = current.CpuQuota;
    if (limits.NanoCpus !== undefined) snapshot.NanoCpus = 0;
  }
  if (limits.RestartPolicy) snapshot.RestartPolicy = current.RestartPolicy;
  return snapshot;
}

/**
 * The container's limits as the kernel holds them: its configuration, with every field whose cgroup
 * file says something else (written behind the engine's back) replaced by the kernel's value
 * (unlimited as 0, HostConfig's spelling). Fields without a reading (not running, a restart policy)
 * keep the configured value. `fromKernel` names the replaced fields.
 */
export function kernelView(
  configured: LimitSource,
  readings: readonly { field: string; applied: LimitValue; matches: boolean }[],
): { current: LimitSource; fromKernel: Set<PresetField> } {
  const current = { ...configured } as Record<string, unknown>;
  const fromKernel = new Set<PresetField>();
  for (const reading of readings) {
    if (reading.matches || !(PRESET_FIELDS as readonly string[]).includes(reading.field)) continue;
    current[reading.field] = reading.applied ?? 0;
    fromKernel.add(reading.field as PresetField);
  }
  return { current: current as LimitSource, fromKernel };
}
