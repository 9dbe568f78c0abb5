import type { Descriptor, ImageIndex } from '@stevedore/shared';
import { StevedoreError } from '@stevedore/shared';
import { goArch } from '../../host/arch.js';

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

/** This host's platform in OCI terms (linux/amd64, linux/arm64/v8, …). */
export function hostPlatform(): Platform {
  const architecture = goArch();
  return { os: 'linux', architecture, ...(architecture === 'arm64' ? { variant: 'v8' } : {}) };
}

/** Picks the manifest for `wanted` from an index, as Docker does; a missing platform is a clear error. */
export function selectPlatform(index: ImageIndex, wanted: Platform, reference: string): Descriptor {
  const candidates = index.manifests.filter(
    (m) => m.platform?.os === wanted.os && m.platform.architecture === wanted.architecture,
  );
  const exact = candidates.find(
    (m) => !wanted.variant || !m.platform?.variant || m.platform.variant === wanted.variant,
  );
  if (exact) return exact;
  const offered = index.manifests
    .map((m) =>
      m.platform
        ? [m.platform.os, m.platform.architecture, m.platform.variant].filter(Boolean).join('/')
        : 'unknown',
    )
    .join(', ');
  const name = [wanted.os, wanted.architecture, wanted.variant].filter(Boolean).join('/');
  throw new StevedoreError(
    'NOT_FOUND',
    `no matching manifest for ${name} in the manifest list entries of ${reference} (it has: ${offered})`,
    {
      reference,
    },
  );
}
