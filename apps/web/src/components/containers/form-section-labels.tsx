'use client';

import { useFormContext } from 'react-hook-form';
import type { ContainerFormValues } from '~/lib/container-form/values';
import { FieldError, inputClass, Section } from './form-fields';
import { KeyValueRows } from './form-rows';

/** Labels, log driver and its options. */
export function LabelsSection() {
  const { register, control, formState } = useFormContext<ContainerFormValues>();
  const errors = formState.errors;
  return (
    <Section title="Labels and logging" collapsible>
      <KeyValueRows
        name="labels"
        title="Labels"
        keyPlaceholder="com.example.key"
        control={control}
        register={register}
        errors={errors}
      />
      <div className="space-y-1">
        <label htmlFor="cf-log-driver" className="block text-sm font-medium">
          Log driver
        </label>
        <select id="cf-log-driver" className={inputClass} {...register('logDriver')}>
          <option value="k8s-file">k8s-file</option>
          <option value="json-file">json-file</option>
          <option value="local">local</option>
          <option value="none">none</option>
        </select>
      </div>
      <KeyValueRows
        name="logOptions"
        title="Log options"
        keyPlaceholder="max-size"
        control={control}
        register={register}
        errors={errors}
      />
      <FieldError path="logOptions" errors={errors} />
    </Section>
  );
}
