import {
  bytesSize,
  type LimitValue,
  PRESET_FIELDS,
  type PresetField,
  type ResourcesUpdate,
} from '@stevedore/shared';

export const FIELD_LABELS: Record<PresetField, string> = {
  Memory: 'Memory',
  MemorySwap: 'Memory + swap',
  MemoryReservation: 'Memory reservation',
  NanoCpus: 'CPUs',
  CpuShares: 'CPU shares',
  CpuPeriod: 'CPU period',
  CpuQuota: 'CPU quota',
  CpusetCpus: 'CPU set',
  CpusetMems: 'Memory nodes',
  PidsLimit: 'PIDs limit',
  BlkioWeight: 'Block I/O weight',
  RestartPolicy: 'Restart policy',
};

const SIZES = new Set<PresetField>(['Memory', 'MemorySwap', 'MemoryReservation']);

/** One limit's value as people read it: sizes in binary units, CPUs as a count, "unlimited" for none. */
export function limitText(field: PresetField, value: LimitValue | undefined): string {
  if (value === undefined) return '—';
  if (field === 'RestartPolicy' || field === 'CpusetCpus' || field === 'CpusetMems') {
    return value === null || value === '' ? (field === 'RestartPolicy' ? 'no' : 'any') : String(value);
  }
  if (value === null || typeof value !== 'number') return value === null ? 'unlimited' : value;
  if (SIZES.has(field))
    return value <= 0 ? (field === 'MemorySwap' && value === 0 ? 'default' : 'unlimited') : bytesSize(value);
  if (field === 'NanoCpus') return value <= 0 ? 'unlimited' : `${Number((value / 1e9).toFixed(3))}`;
  if (field === 'CpuPeriod' || field === 'CpuQuota') return value <= 0 ? 'default' : `${value} µs`;
  if (field === 'PidsLimit') return value <= 0 ? 'unlimited' : String(value);
  return value <= 0 ? 'default' : String(value);
}

/** A preset's limits in one line: "Memory 512 MiB · CPUs 1.5 · PIDs limit 200". */
export function limitsSummary(limits: ResourcesUpdate): string {
  return PRESET_FIELDS.filter((field) => limits[field] !== undefined)
    .map((field) => {
      const raw = limits[field];
      const value =
        field === 'RestartPolicy' && typeof raw === 'object' && raw !== null
          ? `${raw.Name || 'no'}${raw.MaximumRetryCount ? `:${raw.MaximumRetryCount}` : ''}`
          : (raw as LimitValue);
      return `${FIELD_LABELS[field]} ${limitText(field, value)}`;
    })
    .join(' · ');
}
