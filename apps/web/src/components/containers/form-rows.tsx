'use client';

import { useState } from 'react';
import { type Control, type UseFormRegister, useFieldArray } from 'react-hook-form';
import { type ContainerFormValues, parseEnvFile } from '~/lib/container-form/values';
import { errorAt, FieldError, type FormErrors, inputClass, RowButton } from './form-fields';

interface RowsProps {
  control: Control<ContainerFormValues>;
  register: UseFormRegister<ContainerFormValues>;
  errors: FormErrors;
}

const cell = `${inputClass} min-w-0`;
const invalid = (errors: FormErrors, path: string) => errorAt(errors, path) !== undefined;

function RowsFrame({ title, children, onAdd }: { title: string; children: React.ReactNode; onAdd(): void }) {
  return (
    <fieldset className="space-y-2 sm:col-span-2">
      <legend className="text-sm font-medium">{title}</legend>
      {children}
      <RowButton onClick={onAdd}>Add {title.toLowerCase().replace(/s$/, '')}</RowButton>
    </fieldset>
  );
}

/** KEY=VALUE rows: environment, labels, log options. Environment rows also take a pasted env file. */
export function KeyValueRows({
  name,
  title,
  keyPlaceholder,
  pasteEnvFile = false,
  control,
  register,
  errors,
}: RowsProps & {
  name: 'env' | 'labels' | 'logOptions';
  title: string;
  keyPlaceholder: string;
  pasteEnvFile?: boolean;
}) {
  const rows = useFieldArray({ control, name });
  const [pasting, setPasting] = useState(false);
  const [pasted, setPasted] = useState('');
  return (
    <RowsFrame title={title} onAdd={() => rows.append({ key: '', value: '' })}>
      {rows.fields.map((field, index) => (
        <div key={field.id} className="space-y-1">
          <div className="flex gap-2">
            <input
              aria-label={`${title} ${index + 1} key`}
              aria-invalid={invalid(errors, `${name}.${index}.key`)}
              placeholder={keyPlaceholder}
              className={`${cell} font-mono`}
              {...register(`${name}.${index}.key`)}
            />
            <input
              aria-label={`${title} ${index + 1} value`}
              placeholder="value"
              className={`${cell} font-mono`}
              {...register(`${name}.${index}.value`)}
            />
            <RowButton
              aria-label={`Remove ${title.toLowerCase()} ${index + 1}`}
              onClick={() => rows.remove(index)}
            >
              ✕
            </RowButton>
          </div>
          <FieldError path={`${name}.${index}.key`} errors={errors} />
        </div>
      ))}
      {pasteEnvFile && (
        <div className="space-y-2">
          {pasting ? (
            <>
              <label htmlFor="cf-env-file" className="block text-xs text-slate-600 dark:text-slate-400">
                Paste an env file (KEY=VALUE lines; # comments are skipped)
              </label>
              <textarea
                id="cf-env-file"
                rows={4}
                className={`${inputClass} font-mono text-xs`}
                value={pasted}
                onChange={(event) => setPasted(event.target.value)}
              />
              <div className="flex gap-2">
                <RowButton
                  onClick={() => {
                    const existing = new Map(rows.fields.map((row, i) => [row.key, i]));
                    for (const row of parseEnvFile(pasted)) {
                      const at = existing.get(row.key);
                      if (at === undefined) rows.append(row);
                      else rows.update(at, row);
                    }
                    setPasted('');
                    setPasting(false);
                  }}
                >
                  Add these variables
                </RowButton>
                <RowButton onClick={() => setPasting(false)}>Cancel</RowButton>
              </div>
            </>
          ) : (
            <RowButton onClick={() => setPasting(true)}>Paste env file…</RowButton>
          )}
        </div>
      )}
    </RowsFrame>
  );
}

export interface PortConflict {
  index: number;
  message: string;
}

export function PortRows({
  control,
  register,
  errors,
  conflicts,
}: RowsProps & { conflicts: PortConflict[] }) {
  const rows = useFieldArray({ control, name: 'ports' });
  return (
    <RowsFrame
      title="Published ports"
      onAdd={() => rows.append({ hostIp: '', hostPort: '', containerPort: '', protocol: 'tcp' })}
    >
      {rows.fields.map((field, index) => (
        <div key={field.id} className="space-y-1">
          <div className="grid grid-cols-2 gap-2 sm:grid-cols-[1fr_1fr_1fr_auto_auto]">
            <input
              aria-invalid={invalid(errors, `ports.${index}.hostIp`)}
              aria-label={`Port ${index + 1} host IP`}
              placeholder="host IP (all)"
              className={cell}
              {...register(`ports.${index}.hostIp`)}
            />
            <input
              aria-label={`Port ${index + 1} host port`}
              placeholder="host port"
              inputMode="numeric"
              className={cell}
              aria-invalid={
                conflicts.some((c) => c.index === index) || invalid(errors, `ports.${index}.hostPort`)
              }
              {...register(`ports.${index}.hostPort`)}
            />
            <input
              aria-label={`Port ${index + 1} container port`}
              aria-invalid={invalid(errors, `ports.${index}.containerPort`)}
              placeholder="container port"
              inputMode="numeric"
              className={cell}
              {...register(`ports.${index}.containerPort`)}
            />
            <select
              aria-label={`Port ${index + 1} protocol`}
              className={cell}
              {...register(`ports.${index}.protocol`)}
            >
              <option value="tcp">tcp</option>
              <option value="udp">udp</option>
            </select>
            <RowButton aria-label={`Remove port ${index + 1}`} onClick={() => rows.remove(index)}>
              ✕
            </RowButton>
          </div>
          <FieldError path={`ports.${index}.hostIp`} errors={errors} />
          <FieldError path={`ports.${index}.hostPort`} errors={errors} />
          <FieldError path={`ports.${index}.containerPort`} errors={errors} />
          {conflicts
            .filter((c) => c.index === index)
            .map((c) => (
              <p key={c.message} role="alert" className="text-xs text-red-700 dark:text-red-300">
                {c.message}
              </p>
            ))}
        </div>
      ))}
    </RowsFrame>
  );
}

export function VolumeRows({ control, register, errors }: RowsProps) {
  const rows = useFieldArray({ control, name: 'volumes' });
  return (
    <RowsFrame title="Volumes" onAdd={() => rows.append({ source: '', target: '', readOnly: false })}>
      <p className="text-xs text-slate-500 dark:text-slate-400">
        Source: a host path (/srv/data), a volume name, or empty for a new anonymous volume.
      </p>
      {rows.fields.map((field, index) => (
        <div key={field.id} className="space-y-1">
          <div className="grid grid-cols-[1fr_1fr_auto_auto] items-center gap-2">
            <input
              aria-label={`Volume ${index + 1} source`}
              placeholder="source"
              className={`${cell} font-mono`}
              {...register(`volumes.${index}.source`)}
            />
            <input
              aria-label={`Volume ${index + 1} target`}
              aria-invalid={invalid(errors, `volumes.${index}.target`)}
              placeholder="/path/in/container"
              className={`${cell} font-mono`}
              {...register(`volumes.${index}.target`)}
            />
            <label className="flex items-center gap-1 text-xs">
              <input type="checkbox" {...register(`volumes.${index}.readOnly`)} /> ro
            </label>
            <RowButton aria-label={`Remove volume ${index + 1}`} onClick={() => rows.remove(index)}>
              ✕
            </RowButton>
          </div>
          <FieldError path={`volumes.${index}.target`} errors={errors} />
        </div>
      ))}
    </RowsFrame>
  );
}

export function TmpfsRows({ control, register, errors }: RowsProps) {
  const rows = useFieldArray({ control, name: 'tmpfs' });
  return (
    <RowsFrame title="Tmpfs mounts" onAdd={() => rows.append({ path: '', options: '' })}>
      {rows.fields.map((field, index) => (
        <div key={field.id} className="space-y-1">
          <div className="grid grid-cols-[1fr_1fr_auto] gap-2">
            <input
              aria-label={`Tmpfs ${index + 1} path`}
              placeholder="/run"
              className={`${cell} font-mono`}
              {...register(`tmpfs.${index}.path`)}
            />
            <input
              aria-label={`Tmpfs ${index + 1} options`}
              placeholder="size=64m"
              className={`${cell} font-mono`}
              {...register(`tmpfs.${index}.options`)}
            />
            <RowButton aria-label={`Remove tmpfs ${index + 1}`} onClick={() => rows.remove(index)}>
              ✕
            </RowButton>
          </div>
          <FieldError path={`tmpfs.${index}.path`} errors={errors} />
        </div>
      ))}
      <FieldError path="tmpfs" errors={errors} />
    </RowsFrame>
  );
}

export function UlimitRows({ control, register, errors }: RowsProps) {
  const rows = useFieldArray({ control, name: 'ulimits' });
  return (
    <RowsFrame title="Ulimits" onAdd={() => rows.append({ name: 'nofile', soft: '', hard: '' })}>
      {rows.fields.map((field, index) => (
        <div key={field.id} className="space-y-1">
          <div className="grid grid-cols-[1fr_1fr_1fr_auto] gap-2">
            <input
              aria-label={`Ulimit ${index + 1} name`}
              placeholder="nofile"
              className={cell}
              {...register(`ulimits.${index}.name`)}
            />
            <input
              aria-label={`Ulimit ${index + 1} soft`}
              placeholder="soft"
              inputMode="numeric"
              className={cell}
              {...register(`ulimits.${index}.soft`)}
            />
            <input
              aria-label={`Ulimit ${index + 1} hard`}
              placeholder="hard (= soft)"
              inputMode="numeric"
              className={cell}
              {...register(`ulimits.${index}.hard`)}
            />
            <RowButton aria-label={`Remove ulimit ${index + 1}`} onClick={() => rows.remove(index)}>
              ✕
            </RowButton>
          </div>
          <FieldError path={`ulimits.${index}.name`} errors={errors} />
          <FieldError path={`ulimits.${index}.soft`} errors={errors} />
          <FieldError path={`ulimits.${index}.hard`} errors={errors} />
        </div>
      ))}
    </RowsFrame>
  );
}
