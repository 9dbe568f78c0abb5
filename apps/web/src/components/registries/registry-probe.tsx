'use client';

import type { RegistryEndpointCheck } from '@stevedore/shared';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { ErrorNote, SecondaryButton } from '~/components/ui';
import { useTRPC } from '~/trpc/react';

const tlsText: Record<RegistryEndpointCheck['tls'], string> = {
  verified: 'TLS verified',
  plain: 'plain HTTP',
  failed: 'TLS failed',
};

function EndpointCheck({ check }: { check: RegistryEndpointCheck }) {
  return (
    <li
      data-testid="endpoint-check"
      data-url={check.url}
      data-reachable={check.reachable ? 'yes' : 'no'}
      className="flex flex-wrap items-baseline gap-x-2 gap-y-0.5 text-sm"
    >
      <span
        className={
          check.reachable ? 'text-emerald-700 dark:text-emerald-300' : 'text-red-700 dark:text-red-300'
        }
        data-testid="endpoint-state"
      >
        {check.reachable ? 'up' : 'down'}
      </span>
      <span className="font-mono text-xs break-all">{check.url}</span>
      <span className="text-xs text-slate-500 dark:text-slate-400">
        {check.mirror ? 'mirror' : 'registry'} · {tlsText[check.tls]}
        {check.status !== null ? ` · HTTP ${check.status}` : ''}
        {check.latencyMs !== null ? ` · ${Math.round(check.latencyMs)} ms` : ''}
        {check.auth && check.auth !== 'none' ? ` · wants ${check.auth} auth` : ''}
      </span>
      {check.error && <span className="w-full text-xs text-red-700 dark:text-red-300">{check.error}</span>}
    </li>
  );
}

/**
 * Probes one registry's endpoints now, in the order a pull tries them (its mirrors, and with the
 * box ticked the registry itself), and shows what each answered.
 */
export function RegistryProbe({ hostId, registry }: { hostId: string; registry: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const upstreamId = useId();
  const [upstream, setUpstream] = useState(true);
  const probe = useMutation(
    trpc.registries.probe.mutationOptions({
      onSuccess: (report) => {
        // The mirrors' probes are recorded in the health history too.
        queryClient.setQueryData(trpc.registries.health.queryKey({ hostId }), {
          intervalMs: report.intervalMs,
          mirrors: report.mirrors,
        });
      },
    }),
  );
  const endpoints = probe.data?.endpoints;
  return (
    <div className="space-y-2" data-testid="registry-probe">
      <div className="flex flex-wrap items-center gap-3">
        <SecondaryButton
          onClick={() => probe.mutate({ hostId, registry, upstream })}
          disabled={probe.isPending}
          aria-label={`Probe ${registry}`}
        >
          {probe.isPending ? 'Probing…' : 'Probe'}
        </SecondaryButton>
        <label htmlFor={upstreamId} className="flex items-center gap-1.5 text-sm">
          <input
            id={upstreamId}
            type="checkbox"
            checked={upstream}
            onChange={(event) => setUpstream(event.target.checked)}
          />
          the registry itself too
        </label>
      </div>
      {probe.isError && <ErrorNote>{probe.error.message}</ErrorNote>}
      {endpoints &&
        (endpoints.length === 0 ? (
          <p className="text-sm text-slate-500 dark:text-slate-400">
            No mirrors to probe: tick the box to probe the registry itself.
          </p>
        ) : (
          <ol className="space-y-1" data-testid="endpoint-checks">
            {endpoints.map((check) => (
              <EndpointCheck key={check.url} check={check} />
            ))}
          </ol>
        ))}
    </div>
  );
}
