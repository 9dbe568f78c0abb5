'use client';

import { useFormContext } from 'react-hook-form';
import type { ContainerFormValues } from '~/lib/container-form/values';
import { Checkbox, FieldError, inputClass, Section, TextInput } from './form-fields';

/** Network, address, aliases, hostname and exposed ports. */
export function NetworkSection({ networks }: { networks: string[] }) {
  const { register, formState } = useFormContext<ContainerFormValues>();
  const errors = formState.errors;
  return (
    <Section title="Network" collapsible>
      <div className="space-y-1">
        <label htmlFor="cf-network" className="block text-sm font-medium">
          Network
        </label>
        <input id="cf-network" list="cf-network-options" className={inputClass} {...register('network')} />
        <datalist id="cf-network-options">
          {networks.map((n) => (
            <option key={n} value={n} />
          ))}
        </datalist>
        <FieldError path="network" errors={errors} />
      </div>
      <TextInput
        label="IPv4 address"
        path="ip"
        errors={errors}
        registration={register('ip')}
        placeholder="(assigned)"
      />
      <TextInput
        label="Network aliases"
        path="networkAliases"
        errors={errors}
        registration={register('networkAliases')}
        placeholder="web, frontend"
        hint="User-defined networks only"
      />
      <TextInput
        label="Hostname"
        path="hostname"
        errors={errors}
        registration={register('hostname')}
        placeholder="(container ID)"
      />
      <TextInput
        label="Exposed ports"
        path="expose"
        errors={errors}
        registration={register('expose')}
        placeholder="8080, 53/udp"
        hint="Exposed without publishing"
      />
      <Checkbox
        label="Publish all exposed ports (-P)"
        registration={register('publishAll')}
        hint="Each gets a free host port"
      />
    </Section>
  );
}
