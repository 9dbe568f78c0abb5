import {
  CreatePresetInput,
  type Preset,
  parseByteSize,
  parseCpus,
  type ResourcesUpdate,
} from '@stevedore/shared';
import { z } from 'zod';
import { FORM_FIELD_OF, wholeNumber } from '../limits/limits-form';

/**
 * The preset form's fields as typed: sizes with units ("512m"), CPUs as a decimal ("1.5"). An empty
 * field is a limit the preset leaves alone; "unlimited" clears it on the containers it is applied to.
 */
export const PresetFormShape = z.object({
  name: z.string(),
  description: z.string(),
  memory: z.string(),
  memorySwap: z.string(),
  memoryReservation: z.string(),
  cpus: z.string(),
  cpuShares: z.string(),
  cpusetCpus: z.string(),
  pidsLimit: z.string(),
  blkioWeight: z.string(),
  restart: z.enum(['', 'no', 'always', 'unless-stopped', 'on-failure']),
  restartRetries: z.string(),
});
export type PresetFormValues = z.infer<typeof PresetFormShape>;

export const EMPTY_PRESET_FORM: PresetFormValues = {
  name: '',
  description: '',
  memory: '',
  memorySwap: '',
  memoryReservation: '',
  cpus: '',
  cpuShares: '',
  cpusetCpus: '',
  pidsLimit: '',
  blkioWeight: '',
  restart: '',
  restartRetries: '',
};

const UNLIMITED = /^(unlimited|none|-1)$/i;

/** The create request the form describes, and each problem beside its field. */
export function presetFormToInput(values: PresetFormValues): {
  input: CreatePresetInput | null;
  issues: { path: keyof PresetFormValues | 'root'; message: string }[];
} {
  const issues: { path: keyof PresetFormValues | 'root'; message: string }[] = [];
  const limits: ResourcesUpdate = {};
  const read = <T>(path: keyof PresetFormValues, parse: (text: string) => T, unlimited: T): T | undefined => {
    const text = values[path].trim();
    if (!text) return undefined;
    if (UNLIMITED.test(text)) return unlimited;
    try {
      return parse(text);
    } catch (error) {
      issues.push({ path, message: (error as Error).message });
      return undefined;
    }
  };
  const set = <K extends keyof ResourcesUpdate>(field: K, value: ResourcesUpdate[K] | undefined) => {
    if (value !== undefined) limits[field] = value;
  };
  set('Memory', read('memory', parseByteSize, 0));
  set('MemorySwap', read('memorySwap', parseByteSize, -1));
  set('MemoryReservation', read('memoryReservation', parseByteSize, 0));
  set('NanoCpus', read('cpus', parseCpus, 0));
  set('CpuShares', read('cpuShares', wholeNumber, 0));
  set(
    'CpusetCpus',
    read('cpusetCpus', (t) => t, ''),
  );
  set('PidsLimit', read('pidsLimit', wholeNumber, 0));
  set('BlkioWeight', read('blkioWeight', wholeNumber, 0));
  if (values.restart) {
    const retries = values.restartRetries.trim();
    if (retries && values.restart !== 'on-failure') {
      issues.push({ path: 'restartRetries', message: 'only on-failure takes a maximum retry count' });
    }
    let count = 0;
    try {
      count = retries ? wholeNumber(retries) : 0;
    } catch (error) {
      issues.push({ path: 'restartRetries', message: (error as Error).message });
    }
    limits.RestartPolicy = { Name: values.restart, MaximumRetryCount: count };
  }
  const parsed = CreatePresetInput.safeParse({ name: values.name, description: values.description, limits });
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const [top, field] = issue.path.map(String);
      const path =
        top === 'limits'
          ? field
            ? (FORM_FIELD_OF[field] ?? 'root')
            : 'root'
          : ((top as keyof PresetFormValues) ?? 'root');
      if (!issues.some((known) => known.path === path)) issues.push({ path, message: issue.message });
    }
  }
  return { input: issues.length === 0 && parsed.success ? parsed.data : null, issues };
}

/** The form's resolver schema: the same checks, each issue at its field. */
export const PresetFormSchema = PresetFormShape.superRefine((values, ctx) => {
  for (const issue of presetFormToInput(values).issues) {
    ctx.addIssue({ code: 'custom', path: issue.path === 'root' ? [] : [issue.path], message: issue.message });
  }
});

/** Bytes as the shortest exact unit the form reads back ("512m", "1g", "1536k"). */
export function sizeText(bytes: number): string {
  for (const [unit, size] of [
    ['t', 1024 ** 4],
    ['g', 1024 ** 3],
    ['m', 1024 ** 2],
    ['k', 1024],
  ] as const) {
    if (bytes >= size && bytes % size === 0) return `${bytes / size}${unit}`;
  }
  return String(bytes);
}

/** A stored preset in the form, for editing. */
export function presetToForm(preset: Preset): PresetFormValues {
  const l = preset.limits;
  const size = (bytes: number | undefined, unlimited = 0) =>
    bytes === undefined ? '' : bytes === unlimited ? 'unlimited' : sizeText(bytes);
  const number = (value: number | undefined | null) =>
    value === undefined || value === null ? '' : value <= 0 ? 'unlimited' : String(value);
  return {
    name: preset.name,
    description: preset.description,
    memory: size(l.Memory),
    memorySwap: size(l.MemorySwap, -1),
    memoryReservation: size(l.MemoryReservation),
    cpus: l.NanoCpus === undefined ? '' : l.NanoCpus === 0 ? 'unlimited' : String(l.NanoCpus / 1e9),
    cpuShares: number(l.CpuShares),
    cpusetCpus: l.CpusetCpus ?? '',
    pidsLimit: number(l.PidsLimit),
    blkioWeight: number(l.BlkioWeight),
    restart: l.RestartPolicy ? (l.RestartPolicy.Name === '' ? 'no' : l.RestartPolicy.Name) : '',
    restartRetries: l.RestartPolicy?.MaximumRetryCount ? String(l.RestartPolicy.MaximumRetryCount) : '',
  };
}
