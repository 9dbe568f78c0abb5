'use client';

import { useFormContext } from 'react-hook-form';
import type { ContainerFormValues } from '~/lib/container-form/values';
import { Checkbox, FieldError, Section, TextInput } from './form-fields';

/**
 * The run form's healthcheck (`--health-*`): a command and its timing. Empty fields keep the
 * image's HEALTHCHECK values (Docker's defaults: every 30s, timeout 30s, 3 retries).
 */
export function HealthSection() {
  const { register, formState } = useFormContext<ContainerFormValues>();
  const errors = formState.errors;
  return (
    <Section title="Healthcheck" collapsible>
      <TextInput
        label="Health command"
        path="healthCmd"
        errors={errors}
        registration={register('healthCmd')}
        placeholder="wget -qO- http://localhost/ || exit 1"
        hint="Run with /bin/sh -c inside the container; exit 0 is healthy. Empty: the image's HEALTHCHECK."
        className="sm:col-span-2"
      />
      <TextInput
        label="Interval"
        path="healthInterval"
        errors={errors}
        registration={register('healthInterval')}
        placeholder="30s"
        hint="Time between probes (ms, s, m, h)"
      />
      <TextInput
        label="Timeout"
        path="healthTimeout"
        errors={errors}
        registration={register('healthTimeout')}
        placeholder="30s"
        hint="A probe running longer is killed and fails"
      />
      <TextInput
        label="Retries"
        path="healthRetries"
        errors={errors}
        registration={register('healthRetries')}
        placeholder="3"
        inputMode="numeric"
        hint="Failures in a row before unhealthy"
      />
      <TextInput
        label="Start period"
        path="healthStartPeriod"
        errors={errors}
        registration={register('healthStartPeriod')}
        placeholder="0s"
        hint="Failures while starting up are not counted"
      />
      <TextInput
        label="Start interval"
        path="healthStartInterval"
        errors={errors}
        registration={register('healthStartInterval')}
        placeholder="5s"
        hint="Time between probes during the start period"
      />
      <div className="space-y-1 sm:col-span-2">
        <Checkbox
          label="Disable the image's healthcheck (--no-healthcheck)"
          registration={register('noHealthcheck')}
        />
        <FieldError path="noHealthcheck" errors={errors} />
      </div>
    </Section>
  );
}
