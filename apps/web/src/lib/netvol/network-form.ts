import { type NetworkCreateInput, NetworkCreateSchema } from '@stevedore/shared';
import { z } from 'zod';
import { parseLabelText } from './label-text';

/** The create-network form as typed: text fields, labels one KEY=VALUE per line. */
export const NetworkFormSchema = z
  .object({
    Name: z.string(),
    Subnet: z.string(),
    Gateway: z.string(),
    Internal: z.boolean(),
    Labels: z.string(),
  })
  .superRefine((values, ctx) => {
    const labels = parseLabelText(values.Labels);
    if ('error' in labels) ctx.addIssue({ code: 'custom', path: ['Labels'], message: labels.error });
    // The engine's own rules (name, CIDR, gateway inside the subnet), reported beside each field.
    const parsed = NetworkCreateSchema.safeParse(
      toCreateInput(values, 'labels' in labels ? labels.labels : {}),
    );
    if (parsed.success) return;
    for (const issue of parsed.error.issues) {
      ctx.addIssue({ code: 'custom', path: [String(issue.path[0] ?? 'Name')], message: issue.message });
    }
  });
export type NetworkFormValues = z.infer<typeof NetworkFormSchema>;

export const EMPTY_NETWORK_FORM: NetworkFormValues = {
  Name: '',
  Subnet: '',
  Gateway: '',
  Internal: false,
  Labels: '',
};

function toCreateInput(values: NetworkFormValues, labels: Record<string, string>): NetworkCreateInput {
  const subnet = values.Subnet.trim();
  const gateway = values.Gateway.trim();
  return {
    Name: values.Name.trim(),
    Driver: 'bridge',
    Internal: values.Internal,
    ...(subnet ? { Subnet: subnet } : {}),
    ...(gateway ? { Gateway: gateway } : {}),
    Labels: labels,
  };
}

/** The networks.create input for checked form values (NetworkFormSchema passed). */
export function networkFormToCreate(values: NetworkFormValues): NetworkCreateInput {
  const labels = parseLabelText(values.Labels);
  if ('error' in labels) throw new Error(labels.error);
  return toCreateInput(values, labels.labels);
}
