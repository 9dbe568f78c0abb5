import { VolumeCreateSchema } from '@stevedore/shared';
import { z } from 'zod';
import { parseLabelText } from './label-text';

/** The create-volume form as typed: an optional name, labels one KEY=VALUE per line. */
export const VolumeFormSchema = z
  .object({ Name: z.string(), Labels: z.string() })
  .superRefine((values, ctx) => {
    const labels = parseLabelText(values.Labels);
    if ('error' in labels) {
      ctx.addIssue({ code: 'custom', path: ['Labels'], message: labels.error });
      return;
    }
    const parsed = VolumeCreateSchema.safeParse(toCreateInput(values, labels.labels));
    if (parsed.success) return;
    for (const issue of parsed.error.issues) {
      ctx.addIssue({ code: 'custom', path: [String(issue.path[0] ?? 'Name')], message: issue.message });
    }
  });
export type VolumeFormValues = z.infer<typeof VolumeFormSchema>;

export const EMPTY_VOLUME_FORM: VolumeFormValues = { Name: '', Labels: '' };

function toCreateInput(values: VolumeFormValues, labels: Record<string, string>) {
  const name = values.Name.trim();
  return { ...(name ? { Name: name } : {}), Labels: labels };
}

/** The volumes.create input for checked form values (VolumeFormSchema passed). */
export function volumeFormToCreate(values: VolumeFormValues): z.input<typeof VolumeCreateSchema> {
  const labels = parseLabelText(values.Labels);
  if ('error' in labels) throw new Error(labels.error);
  return toCreateInput(values, labels.labels);
}
