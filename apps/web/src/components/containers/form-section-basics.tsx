'use client';

import { countOf } from '@stevedore/shared';
import { useFormContext } from 'react-hook-form';
import type { ContainerFormValues } from '~/lib/container-form/values';
import { RestartPolicyField } from '../limits/limits-fields';
import { Section, TextInput } from './form-fields';
import { KeyValueRows, type PortConflict, PortRows, VolumeRows } from './form-rows';

/** Image, name, restart policy, command, environment, ports and volumes. */
export function BasicsSection({
  images,
  conflicts,
}: {
  /** The host's local images; undefined while they load. */
  images: string[] | undefined;
  conflicts: PortConflict[];
}) {
  const { register, control, formState } = useFormContext<ContainerFormValues>();
  const errors = formState.errors;
  return (
    <Section title="Basics">
      <div className="sm:col-span-2">
        <TextInput
          label="Image"
          path="image"
          errors={errors}
          registration={register('image')}
          list="cf-image-options"
          placeholder="nginx:1.27"
          hint={
            images
              ? images.length === 0
                ? 'No images on this host yet: it is pulled when the container is created'
                : `${countOf(images.length, 'image')} on this host; type to pick one`
              : undefined
          }
        />
        <datalist id="cf-image-options">
          {images?.map((image) => (
            <option key={image} value={image} />
          ))}
        </datalist>
      </div>
      <TextInput
        label="Name"
        path="name"
        errors={errors}
        registration={register('name')}
        placeholder="(generated)"
      />
      <RestartPolicyField />
      <TextInput
        label="Command"
        path="command"
        errors={errors}
        registration={register('command')}
        placeholder="(image default)"
        hint="Words as in a shell: sh -c 'echo hi'"
      />
      <TextInput
        label="Entrypoint"
        path="entrypoint"
        errors={errors}
        registration={register('entrypoint')}
        placeholder="(image default)"
      />
      <KeyValueRows
        name="env"
        title="Environment"
        keyPlaceholder="KEY"
        pasteEnvFile
        control={control}
        register={register}
        errors={errors}
      />
      <PortRows control={control} register={register} errors={errors} conflicts={conflicts} />
      <VolumeRows control={control} register={register} errors={errors} />
    </Section>
  );
}
