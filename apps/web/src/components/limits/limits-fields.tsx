'use client';

import { bytesSize, countOf, parseCpuSet } from '@stevedore/shared';
import type { ReactNode } from 'react';
import { useFormContext, useWatch } from 'react-hook-form';
import { type LimitsFormValues, type LimitTextField, UNLIMITED_TEXT } from '~/lib/limits/limits-form';
import { cpusOf, formatCpuSet, type UsageFigures, type UsageSummary } from '~/lib/limits/limits-usage';
import { FieldError, type FormErrors, inputClass, TextInput } from '../containers/form-fields';

/** What the host offers, shown beside the fields (from `containers.limits` or the host's info). */
export interface CapacityView {
  cpus: number;
  /** The CPUs a cpuset may name ("0-3"). */
  cpuList: string;
  memoryBytes: number;
  swapBytes?: number;
  swapAccounting?: boolean;
}

/** The capacity the host's info gives (before the agent's `containers.limits` says more). */
export function capacityFromHostInfo(info: { NCPU: number; MemTotal: number }): CapacityView {
  return {
    cpus: info.NCPU,
    cpuList: info.NCPU === 1 ? '0' : `0-${info.NCPU - 1}`,
    memoryBytes: info.MemTotal,
  };
}

/** The host's swap beside the memory + swap field: "no swap" rather than "0B swap". */
function swapText(capacity: CapacityView | undefined): string | null {
  if (capacity?.swapAccounting === false) return 'swap is not accounted: not enforced';
  if (capacity?.swapBytes === undefined) return null;
  return capacity.swapBytes > 0 ? `${bytesSize(capacity.swapBytes)} swap` : 'no swap';
}

const cpusText = (percent: number) => `${Number((percent / 100).toFixed(2))} CPU`;
const countText = (n: number) => String(Math.round(n));

/** "now 120MiB · peak 1 h 130MiB · 24 h 180MiB", or nothing when there is no history. */
function usageLine(figures: UsageFigures | undefined, format: (n: number) => string): string | null {
  if (!figures || (figures.now === null && figures.peak1h === null && figures.peak24h === null)) return null;
  const parts = [
    figures.now !== null ? `now ${format(figures.now)}` : null,
    figures.peak1h !== null ? `peak 1 h ${format(figures.peak1h)}` : null,
    figures.peak24h !== null ? `24 h ${format(figures.peak24h)}` : null,
  ];
  return parts.filter(Boolean).join(' · ');
}

function Context({ host, usage, testId }: { host?: string | null; usage?: string | null; testId: string }) {
  if (!host && !usage) return null;
  return (
    <p data-testid={testId} className="text-xs text-slate-600 dark:text-slate-400">
      {host && <span>Host: {host}</span>}
      {host && usage && <span aria-hidden="true"> · </span>}
      {usage && <span>{usage}</span>}
    </p>
  );
}

/** A limit's field with its "Unlimited" control and, under it, the host's capacity and the container's use. */
function LimitRow({
  field,
  label,
  placeholder,
  hint,
  inputMode,
  host,
  usage,
  children,
}: {
  field: LimitTextField;
  label: string;
  placeholder: string;
  hint?: string;
  inputMode?: 'numeric' | 'decimal';
  host?: string | null;
  usage?: string | null;
  children?: ReactNode;
}) {
  const { register, setValue, control, formState } = useFormContext<LimitsFormValues>();
  const value = useWatch({ control, name: field });
  const unlimited = value === UNLIMITED_TEXT[field];
  return (
    <div className="min-w-0 space-y-1" data-testid={`limit-${field}`}>
      <div className="relative">
        <TextInput
          label={label}
          path={field}
          errors={formState.errors as FormErrors}
          registration={register(field)}
          placeholder={placeholder}
          hint={hint}
          {...(inputMode ? { inputMode } : {})}
        />
        <button
          type="button"
          aria-pressed={unlimited}
          aria-label={`${label}: unlimited`}
          onClick={() =>
            setValue(field, UNLIMITED_TEXT[field], {
              shouldDirty: true,
              shouldValidate: formState.isSubmitted,
            })
          }
          className={`absolute right-0 top-0 rounded px-1.5 text-xs focus-visible:outline focus-visible:outline-2 focus-visible:outline-sky-500 ${
            unlimited
              ? 'bg-slate-200 text-slate-700 dark:bg-slate-700 dark:text-slate-100'
              : 'text-sky-700 hover:underline dark:text-sky-400'
          }`}
        >
          Unlimited
        </button>
      </div>
      {children}
      <Context host={host ?? null} usage={usage ?? null} testId={`limit-${field}-context`} />
    </div>
  );
}

/** The CPUs as a number and a slider (0 = no limit), both editing the same field. */
function CpusSlider({ max }: { max: number }) {
  const { setValue, control, formState } = useFormContext<LimitsFormValues>();
  const text = useWatch({ control, name: 'cpus' });
  const numeric = Number(text);
  return (
    <input
      type="range"
      aria-label="CPUs slider"
      min={0}
      max={max}
      step={0.05}
      value={Number.isFinite(numeric) ? Math.min(numeric, max) : 0}
      onChange={(event) => {
        const next = Number(event.target.value);
        setValue('cpus', next === 0 ? '' : String(next), {
          shouldDirty: true,
          shouldValidate: formState.isSubmitted,
        });
      }}
      className="w-full accent-sky-600"
    />
  );
}

/** The host's CPUs as toggle chips; none chosen = every CPU. */
function CpusetPicker({ cpuList }: { cpuList: string }) {
  const { setValue, control, formState } = useFormContext<LimitsFormValues>();
  const text = useWatch({ control, name: 'cpusetCpus' });
  const chosen = cpusOf(text);
  let all: number[] = [];
  try {
    all = parseCpuSet(cpuList);
  } catch {
    // The host sent no usable CPU list: the text field alone remains.
    return null;
  }
  return (
    <fieldset className="flex flex-wrap gap-1" aria-label="CPUs to run on">
      {all.map((cpu) => {
        const on = chosen?.includes(cpu) ?? false;
        return (
          <button
            key={cpu}
            type="button"
            aria-pressed={on}
            onClick={() => {
              const current = chosen ?? [];
              const next = on ? current.filter((c) => c !== cpu) : [...current, cpu];
              setValue('cpusetCpus', formatCpuSet(next), {
                shouldDirty: true,
                shouldValidate: formState.isSubmitted,
              });
            }}
            className={`min-w-9 rounded-md border px-2 py-1 font-mono text-xs focus-visible:outline focus-visible:outline-2 focus-visible:outline-sky-500 ${
              on
                ? 'border-sky-600 bg-sky-600 text-white'
                : 'border-slate-300 hover:bg-slate-100 dark:border-slate-700 dark:hover:bg-slate-800'
            }`}
          >
            CPU {cpu}
          </button>
        );
      })}
    </fieldset>
  );
}

/** The restart policy, with its retries for on-failure (the panel has it here; the run form under Basics). */
export function RestartPolicyField() {
  const { register, control, formState } = useFormContext<LimitsFormValues>();
  const restart = useWatch({ control, name: 'restart' });
  const errors = formState.errors as FormErrors;
  return (
    <div className="space-y-1">
      <label htmlFor="cf-restart" className="block text-sm font-medium">
        Restart policy
      </label>
      <div className="flex gap-2">
        <select id="cf-restart" className={inputClass} {...register('restart')}>
          <option value="no">no</option>
          <option value="always">always</option>
          <option value="unless-stopped">unless-stopped</option>
          <option value="on-failure">on-failure</option>
        </select>
        {restart === 'on-failure' && (
          <input
            aria-label="Maximum retries"
            placeholder="retries"
            inputMode="numeric"
            className={`${inputClass} w-24`}
            {...register('restartRetries')}
          />
        )}
      </div>
      <FieldError path="restart" errors={errors} />
      <FieldError path="restartRetries" errors={errors} />
    </div>
  );
}

/**
 * The limits section shared by the container page's Limits tab and the run form: memory, swap,
 * reservation, CPUs (number and slider), shares, cpuset (picker), PIDs and block I/O weight, each
 * with an "Unlimited" control, the host's capacity and the container's current and peak use.
 */
export function LimitsFields({ capacity, usage }: { capacity?: CapacityView; usage?: UsageSummary }) {
  const memoryUse = usageLine(usage?.memory, bytesSize);
  return (
    <>
      <LimitRow
        field="memory"
        label="Memory limit"
        placeholder="unlimited (e.g. 512m)"
        hint="b, k, m, g (binary units)"
        host={capacity ? bytesSize(capacity.memoryBytes) : null}
        usage={memoryUse}
      />
      <LimitRow
        field="memorySwap"
        label="Memory + swap"
        placeholder="twice the memory; -1 unlimited"
        host={swapText(capacity)}
      />
      <LimitRow
        field="memoryReservation"
        label="Memory reservation"
        placeholder="none (e.g. 256m)"
        hint="A soft limit, enforced when memory is short"
        usage={memoryUse}
      />
      <LimitRow
        field="cpus"
        label="CPUs"
        placeholder="unlimited (e.g. 1.5)"
        inputMode="decimal"
        host={capacity ? countOf(capacity.cpus, 'CPU') : null}
        usage={usageLine(usage?.cpu, cpusText)}
      >
        {capacity && <CpusSlider max={capacity.cpus} />}
      </LimitRow>
      <LimitRow
        field="cpuShares"
        label="CPU shares"
        placeholder="1024 (default)"
        inputMode="numeric"
        hint="Relative weight when CPUs are busy, 2–262144"
      />
      <LimitRow
        field="cpusetCpus"
        label="CPU set"
        placeholder="every CPU (e.g. 0-3,5)"
        host={capacity ? `CPUs ${capacity.cpuList}` : null}
      >
        {capacity && <CpusetPicker cpuList={capacity.cpuList} />}
      </LimitRow>
      <LimitRow
        field="pidsLimit"
        label="PIDs limit"
        placeholder="unlimited (e.g. 100)"
        inputMode="numeric"
        usage={usageLine(usage?.pids, countText)}
      />
      <LimitRow
        field="blkioWeight"
        label="Block I/O weight"
        placeholder="default (10–1000)"
        inputMode="numeric"
      />
    </>
  );
}
