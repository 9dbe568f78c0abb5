'use client';

import { useFormContext } from 'react-hook-form';
import type { ContainerFormValues } from '~/lib/container-form/values';
import { Checkbox, FieldError, Section, TextInput } from './form-fields';

/** User, working directory, capabilities, security options, stop settings and process flags. */
export function RuntimeSection() {
  const { register, formState } = useFormContext<ContainerFormValues>();
  const errors = formState.errors;
  return (
    <Section title="Runtime and security" collapsible>
      <TextInput
        label="User"
        path="user"
        errors={errors}
        registration={register('user')}
        placeholder="(image default)"
        hint="name|uid[:group|gid]"
      />
      <TextInput
        label="Working directory"
        path="workdir"
        errors={errors}
        registration={register('workdir')}
        placeholder="/app"
      />
      <TextInput
        label="Capabilities to add"
        path="capAdd"
        errors={errors}
        registration={register('capAdd')}
        placeholder="NET_ADMIN, SYS_TIME"
      />
      <TextInput
        label="Capabilities to drop"
        path="capDrop"
        errors={errors}
        registration={register('capDrop')}
        placeholder="ALL"
      />
      <TextInput
        label="Security options"
        path="securityOpt"
        errors={errors}
        registration={register('securityOpt')}
        placeholder="no-new-privileges"
      />
      <TextInput
        label="Stop signal"
        path="stopSignal"
        errors={errors}
        registration={register('stopSignal')}
        placeholder="SIGTERM"
      />
      <TextInput
        label="Stop timeout (s)"
        path="stopTimeout"
        errors={errors}
        registration={register('stopTimeout')}
        placeholder="10"
        inputMode="numeric"
      />
      <Checkbox
        label="Privileged"
        registration={register('privileged')}
        hint="All capabilities and devices"
      />
      <Checkbox
        label="Run an init process"
        registration={register('init')}
        hint="Forwards signals, reaps zombies"
      />
      <Checkbox label="Allocate a TTY (-t)" registration={register('tty')} />
      <Checkbox label="Keep stdin open (-i)" registration={register('interactive')} />
      <Checkbox label="Remove when it exits (--rm)" registration={register('autoRemove')} />
      <FieldError path="autoRemove" errors={errors} />
    </Section>
  );
}
