'use client';

import { useFormContext } from 'react-hook-form';
import type { ContainerFormValues } from '~/lib/container-form/values';
import { Checkbox, Section, TextInput } from './form-fields';
import { TmpfsRows } from './form-rows';

/** Tmpfs mounts, /dev/shm and a read-only root. */
export function StorageSection() {
  const { register, control, formState } = useFormContext<ContainerFormValues>();
  const errors = formState.errors;
  return (
    <Section title="Storage" collapsible>
      <TmpfsRows control={control} register={register} errors={errors} />
      <TextInput
        label="/dev/shm size"
        path="shmSize"
        errors={errors}
        registration={register('shmSize')}
        placeholder="64m"
      />
      <Checkbox label="Read-only root filesystem" registration={register('readOnly')} />
    </Section>
  );
}
