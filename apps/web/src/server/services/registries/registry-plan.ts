import { createHash } from 'node:crypto';
import type {
  RegistryChange,
  RegistrySettings,
  RegistrySettingsDigest,
  RegistrySettingsValue,
} from '@stevedore/shared';

/** A CA bundle named by a short fingerprint of its text: audit rows and previews never hold PEM. */
export function caFingerprint(pem: string | null): string | null {
  if (!pem) return null;
  const normalized = pem.replace(/\r\n/g, '\n').trim();
  return `sha256:${createHash('sha256').update(normalized).digest('hex').slice(0, 16)}`;
}

/** The settings a host has now, in the shape `registries.set` takes (what a rollback re-applies). */
export function settingsValueOf(current: RegistrySettings): RegistrySettingsValue {
  return {
    registry: current.registry,
    mirrors: current.mirrors.map((m) => ({ url: m.url, ca: m.ca, skipVerify: m.skipVerify })),
    // Only a listed registry is insecure by setting; loopback and CIDR matches stay what they are.
    insecure: current.insecureReason === 'listed',
    ca: current.ca,
    skipVerify: current.skipVerify,
  };
}

/** Settings for one registry a host has nothing for yet. */
export function emptySettings(registry: string): RegistrySettings {
  return {
    registry,
    mirrors: [],
    insecure: false,
    insecureReason: null,
    ca: null,
    skipVerify: false,
    server: null,
    directory: null,
  };
}

export function digestOf(value: RegistrySettingsValue, current: RegistrySettings): RegistrySettingsDigest {
  const implied = current.insecureReason === 'loopback' || current.insecureReason === 'cidr';
  return {
    mirrors: value.mirrors.map(
      (m) => `${m.url}${m.skipVerify ? ' (no TLS verify)' : ''}${m.ca ? ` (CA ${caFingerprint(m.ca)})` : ''}`,
    ),
    insecure: value.insecure || implied,
    ca: caFingerprint(value.ca),
  };
}

export interface HostPlan {
  previous: RegistrySettingsValue;
  next: RegistrySettingsValue;
  before: RegistrySettingsDigest;
  after: RegistrySettingsDigest;
  changed: boolean;
}

/** What `change` makes of a host's current settings: the fields given replace, the rest stay. */
export function planChange(current: RegistrySettings, change: RegistryChange): HostPlan {
  const previous = settingsValueOf(current);
  const next: RegistrySettingsValue = {
    ...previous,
    ...(change.mirrors !== undefined
      ? {
          mirrors: change.mirrors.map((m) => ({
            url: m.url,
            ca: m.ca ?? null,
            skipVerify: m.skipVerify ?? false,
          })),
        }
      : {}),
    ...(change.insecure !== undefined ? { insecure: change.insecure } : {}),
    ...(change.ca !== undefined ? { ca: change.ca } : {}),
  };
  const before = digestOf(previous, current);
  const after = digestOf(next, current);
  return { previous, next, before, after, changed: JSON.stringify(previous) !== JSON.stringify(next) };
}
