'use client';

import { zodResolver } from '@hookform/resolvers/zod';
import type { ContainerCreate } from '@stevedore/shared';
import { useMutation } from '@tanstack/react-query';
import { useEffect, useMemo, useRef, useState } from 'react';
import { useForm, useWatch } from 'react-hook-form';
import { diffForms, type FieldChange } from '~/lib/container-form/diff';
import { type PublishedPort, portConflicts } from '~/lib/container-form/port-conflicts';
import { ContainerFormSchema } from '~/lib/container-form/to-create';
import type { ContainerFormValues } from '~/lib/container-form/values';
import { useTRPC } from '~/trpc/react';
import { Button, ErrorNote } from '../ui';
import { Checkbox, FieldError, inputClass, Section, TextInput } from './form-fields';
import { HealthSection } from './form-health-section';
import { KeyValueRows, PortRows, TmpfsRows, UlimitRows, VolumeRows } from './form-rows';
import { EditReview, RunCommand } from './form-summary';

export interface FormOptionsData {
  images: string[];
  networks: string[];
  publishedPorts: PublishedPort[];
}

type Mode =
  | { kind: 'create' }
  | { kind: 'duplicate'; from: string }
  | { kind: 'edit'; container: string; name: string };

/**
 * The run form: create, duplicate (`from`) or edit a container. Every field is checked by the
 * engine's own schema as you type after the first submit; the equivalent CLI line updates live.
 */
export function ContainerForm({
  hostId,
  initial,
  base,
  mode,
  options,
  onDone,
}: {
  hostId: string;
  initial: ContainerFormValues;
  /** The container's full settings when duplicating or editing. */
  base?: ContainerCreate;
  mode: Mode;
  options: FormOptionsData | undefined;
  onDone(result: { id: string; recreated?: boolean }): void;
}) {
  const trpc = useTRPC();
  const form = useForm<ContainerFormValues>({
    resolver: zodResolver(ContainerFormSchema),
    defaultValues: initial,
    mode: 'onSubmit',
    reValidateMode: 'onChange',
  });
  const { register, control, handleSubmit, formState } = form;
  const errors = formState.errors;
  const values = useWatch({ control }) as ContainerFormValues;
  const conflicts = useMemo(
    () =>
      portConflicts(
        values.ports ?? [],
        options?.publishedPorts ?? [],
        mode.kind === 'edit' ? mode.name : undefined,
      ),
    [values.ports, options?.publishedPorts, mode],
  );
  const [startAfter, setStartAfter] = useState(true);
  const [review, setReview] = useState<{ values: ContainerFormValues; changes: FieldChange[] } | null>(null);
  const create = useMutation(
    trpc.containers.form.create.mutationOptions({ onSuccess: (r) => onDone({ id: r.id }) }),
  );
  const apply = useMutation(
    trpc.containers.form.applyEdit.mutationOptions({
      onSuccess: (r) => onDone({ id: r.id, recreated: r.recreated }),
    }),
  );
  const [conflictNote, setConflictNote] = useState(false);
  const formRef = useRef<HTMLFormElement>(null);
  const reviewRef = useRef<HTMLElement>(null);
  useEffect(() => {
    if (review) reviewRef.current?.focus();
  }, [review]);
  // A field with an error inside a closed section: open the section so the error shows.
  const errorCount = Object.keys(errors).length;
  useEffect(() => {
    if (errorCount === 0) return;
    for (const field of formRef.current?.querySelectorAll('[aria-invalid="true"]') ?? []) {
      const section = field.closest('details');
      if (section) section.open = true;
    }
  }, [errorCount]);

  const submit = handleSubmit((valid) => {
    if (conflicts.length > 0) {
      setConflictNote(true);
      return;
    }
    setConflictNote(false);
    if (mode.kind === 'edit') {
      setReview({ values: valid, changes: diffForms(initial, valid) });
      return;
    }
    create.mutate({
      hostId,
      values: valid,
      start: startAfter,
      ...(mode.kind === 'duplicate' ? { from: mode.from } : {}),
    });
  });
  const error = create.error ?? apply.error;
  const pending = create.isPending || apply.isPending;
  const networks = [...new Set(['bridge', 'host', 'none', ...(options?.networks ?? [])])];

  return (
    <form ref={formRef} onSubmit={submit} noValidate aria-label="Container settings" className="space-y-4">
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
              options
                ? options.images.length === 0
                  ? 'No images on this host yet: it is pulled when the container is created'
                  : `${options.images.length} ${options.images.length === 1 ? 'image' : 'images'} on this host; type to pick one`
                : undefined
            }
          />
          <datalist id="cf-image-options">
            {options?.images.map((image) => (
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
            {values.restart === 'on-failure' && (
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

      <Section title="Resources" collapsible open={mode.kind === 'edit'}>
        <TextInput
          label="Memory limit"
          path="memory"
          errors={errors}
          registration={register('memory')}
          placeholder="512m"
          hint="b, k, m, g (binary units)"
        />
        <TextInput
          label="Memory + swap"
          path="memorySwap"
          errors={errors}
          registration={register('memorySwap')}
          placeholder="1g, or -1 unlimited"
        />
        <TextInput
          label="Memory reservation"
          path="memoryReservation"
          errors={errors}
          registration={register('memoryReservation')}
          placeholder="256m"
        />
        <TextInput
          label="CPUs"
          path="cpus"
          errors={errors}
          registration={register('cpus')}
          placeholder="1.5"
          inputMode="decimal"
        />
        <TextInput
          label="CPU shares"
          path="cpuShares"
          errors={errors}
          registration={register('cpuShares')}
          placeholder="1024"
          inputMode="numeric"
        />
        <TextInput
          label="CPU set"
          path="cpusetCpus"
          errors={errors}
          registration={register('cpusetCpus')}
          placeholder="0-3,5"
        />
        <TextInput
          label="Memory nodes"
          path="cpusetMems"
          errors={errors}
          registration={register('cpusetMems')}
          placeholder="0"
        />
        <TextInput
          label="PIDs limit"
          path="pidsLimit"
          errors={errors}
          registration={register('pidsLimit')}
          placeholder="-1 unlimited"
          inputMode="numeric"
        />
        <TextInput
          label="Block I/O weight"
          path="blkioWeight"
          errors={errors}
          registration={register('blkioWeight')}
          placeholder="10-1000"
          inputMode="numeric"
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

      <HealthSection register={register} errors={errors} />

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

      <RunCommand values={values} initial={initial} base={base} />

      {errors.root && <ErrorNote>{errors.root.message}</ErrorNote>}
      {conflictNote && conflicts.length > 0 && (
        <ErrorNote>Choose other host ports: {conflicts.map((c) => c.message).join('; ')}.</ErrorNote>
      )}
      {error && <ErrorNote>{error.message}</ErrorNote>}

      {review ? (
        <EditReview
          ref={reviewRef}
          changes={review.changes}
          pending={pending}
          onApply={() =>
            mode.kind === 'edit' && apply.mutate({ hostId, container: mode.container, values: review.values })
          }
          onBack={() => setReview(null)}
        />
      ) : (
        <div className="flex flex-wrap items-center gap-3">
          <Button type="submit" disabled={pending}>
            {mode.kind === 'edit'
              ? 'Review changes'
              : pending
                ? 'Creating…'
                : startAfter
                  ? 'Create and start'
                  : 'Create'}
          </Button>
          {mode.kind !== 'edit' && (
            <label className="flex items-center gap-2 text-sm">
              <input
                type="checkbox"
                checked={!startAfter}
                onChange={(event) => setStartAfter(!event.target.checked)}
              />
              Create only (do not start)
            </label>
          )}
        </div>
      )}
    </form>
  );
}
