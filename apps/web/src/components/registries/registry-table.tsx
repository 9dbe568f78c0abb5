import type { RegistrySettings } from '@stevedore/shared';
import type { ReactNode } from 'react';
import { SecondaryButton } from '~/components/ui';

const insecureText: Record<string, string> = {
  listed: 'yes (listed)',
  cidr: 'yes (in a listed CIDR)',
  loopback: 'yes (loopback)',
};

/** One row per registry: its mirrors in order, plain HTTP or TLS, its own CA. */
export function RegistryTable({
  registries,
  onEdit,
  probe = null,
}: {
  registries: RegistrySettings[];
  /** null: the viewer may not change host configuration. */
  onEdit: ((settings: RegistrySettings) => void) | null;
  /** The control that probes one registry now (absent for who may not probe). */
  probe?: ((registry: string) => ReactNode) | null;
}) {
  return (
    <ul className="divide-y divide-slate-200 rounded-lg border border-slate-200 dark:divide-slate-800 dark:border-slate-800">
      {registries.map((registry) => (
        <li
          key={registry.registry}
          data-testid="registry-row"
          data-registry={registry.registry}
          className="space-y-2 p-3"
        >
          <div className="flex flex-wrap items-center justify-between gap-2">
            <h3 className="font-mono text-sm font-semibold">{registry.registry}</h3>
            {onEdit && (
              <SecondaryButton onClick={() => onEdit(registry)} aria-label={`Edit ${registry.registry}`}>
                Edit
              </SecondaryButton>
            )}
          </div>
          <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm">
            <dt className="text-slate-500 dark:text-slate-400">Mirrors</dt>
            <dd data-testid="registry-mirrors">
              {registry.mirrors.length === 0 ? (
                <span className="text-slate-500 dark:text-slate-400">none: pulls go to the registry</span>
              ) : (
                <ol className="list-decimal space-y-0.5 pl-5">
                  {registry.mirrors.map((mirror) => (
                    <li key={mirror.url} className="break-all">
                      <span className="font-mono text-xs">{mirror.url}</span>
                      <span className="ml-2 text-xs text-slate-500 dark:text-slate-400">
                        {mirror.source}
                        {mirror.skipVerify ? ' · skip_verify' : ''}
                        {mirror.ca ? ' · own CA' : ''}
                      </span>
                    </li>
                  ))}
                </ol>
              )}
            </dd>
            <dt className="text-slate-500 dark:text-slate-400">Insecure</dt>
            <dd data-testid="registry-insecure-state">
              {registry.insecureReason ? insecureText[registry.insecureReason] : 'no (HTTPS)'}
            </dd>
            <dt className="text-slate-500 dark:text-slate-400">CA</dt>
            <dd>
              {registry.ca ? 'own CA certificates, beside the system CAs' : 'system CAs'}
              {registry.skipVerify ? ' · TLS not verified (skip_verify)' : ''}
            </dd>
            {registry.server && (
              <>
                <dt className="text-slate-500 dark:text-slate-400">Server</dt>
                <dd className="font-mono text-xs break-all">{registry.server}</dd>
              </>
            )}
          </dl>
          {probe?.(registry.registry)}
        </li>
      ))}
    </ul>
  );
}
