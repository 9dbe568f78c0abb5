import {
  CaPemSchema,
  MirrorUrlSchema,
  RegistryHostSchema,
  type RegistrySettings,
  type RegistrySettingsValue,
} from '@stevedore/shared';
import { z } from 'zod';

/** A CA text box: empty means none, anything else must be PEM certificates. */
const OptionalPem = z.string().refine((text) => text.trim() === '' || CaPemSchema.safeParse(text).success, {
  message: 'paste PEM certificates (-----BEGIN CERTIFICATE----- …) or leave it empty',
});

const MirrorUrlText = z
  .string()
  .trim()
  .min(1, { message: 'enter the mirror URL, or remove this row' })
  .refine((text) => MirrorUrlSchema.safeParse(text).success, {
    message: 'must be an http:// or https:// URL such as https://mirror.example:5000',
  });

/** The registry form's values: strings and booleans only, so every field edits in place. */
export const RegistryFormSchema = z.object({
  registry: z
    .string()
    .trim()
    .min(1, { message: 'enter the registry, e.g. docker.io or 127.0.0.1:5000' })
    .pipe(RegistryHostSchema),
  mirrors: z.array(z.object({ url: MirrorUrlText, skipVerify: z.boolean(), ca: OptionalPem })).max(16),
  insecure: z.boolean(),
  skipVerify: z.boolean(),
  ca: OptionalPem,
});
export type RegistryFormValues = z.input<typeof RegistryFormSchema>;

export const EMPTY_REGISTRY_FORM: RegistryFormValues = {
  registry: '',
  mirrors: [],
  insecure: false,
  skipVerify: false,
  ca: '',
};

export function registryToForm(settings: RegistrySettings): RegistryFormValues {
  return {
    registry: settings.registry,
    mirrors: settings.mirrors.map((m) => ({ url: m.url, skipVerify: m.skipVerify, ca: m.ca ?? '' })),
    insecure: settings.insecureReason === 'listed',
    skipVerify: settings.skipVerify,
    ca: settings.ca ?? '',
  };
}

const pemOrNull = (text: string) => (text.trim() === '' ? null : text.trim());

export function formToSettings(values: RegistryFormValues): RegistrySettingsValue {
  return {
    registry: values.registry.trim(),
    mirrors: values.mirrors.map((m) => ({
      url: MirrorUrlSchema.parse(m.url),
      skipVerify: m.skipVerify,
      ca: pemOrNull(m.ca),
    })),
    insecure: values.insecure,
    skipVerify: values.skipVerify,
    ca: pemOrNull(values.ca),
  };
}
