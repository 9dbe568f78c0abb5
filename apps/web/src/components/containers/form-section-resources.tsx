'use client';

import { useFormContext } from 'react-hook-form';
import type { ContainerFormValues } from '~/lib/container-form/values';
import { type CapacityView, LimitsFields } from '../limits/limits-fields';
import { Checkbox, Section, TextInput } from './form-fields';
import { UlimitRows } from './form-rows';

/** Limits (the section shared with the container page's Limits tab) and the run-only resources. */
export function ResourcesSection({ open, capacity }: { open: boolean; capacity?: CapacityView | undefined }) {
  const { register, control, formState } = useFormContext<ContainerFormValues>();
  const errors = formState.errors;
  return (
    <Section title="Resources" collapsible open={open}>
      <LimitsFields {...(capacity ? { capacity } : {})} />
      <TextInput
        label="Memory nodes"
        path="cpusetMems"
        errors={errors}
        registration={register('cpusetMems')}
        placeholder="0"
      />
      <TextInput
        label="CPU CFS period (µs)"
        path="cpuPeriod"
        errors={errors}
        registration={register('cpuPeriod')}
        placeholder="100000"
        inputMode="numeric"
      />
      <TextInput
        label="CPU CFS quota (µs)"
        path="cpuQuota"
        errors={errors}
        registration={register('cpuQuota')}
        placeholder="50000"
        inputMode="numeric"
      />
      <TextInput
        label="Device read limits"
        path="deviceReadBps"
        errors={errors}
        registration={register('deviceReadBps')}
        placeholder="/dev/sda:10m"
      />
      <TextInput
        label="Device write limits"
        path="deviceWriteBps"
        errors={errors}
        registration={register('deviceWriteBps')}
        placeholder="/dev/sda:10m"
      />
      <Checkbox
        label="Disable the OOM killer"
        registration={register('oomKillDisable')}
        hint="cgroup v1 only"
      />
      <UlimitRows control={control} register={register} errors={errors} />
    </Section>
  );
}
