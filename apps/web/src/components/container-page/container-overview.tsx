'use client';

import type { ContainerInspect } from '@stevedore/shared';
import { useEffect, useState } from 'react';
import { HealthSection } from './container-health';
import { limitRows, portRows, publishedHost, shellWords, when } from './overview-format';
import { EnvList, Facts, MiniTable, Section } from './overview-parts';

const link =
  'text-sky-700 underline underline-offset-2 hover:text-sky-900 focus-visible:outline focus-visible:outline-2 focus-visible:outline-sky-500 dark:text-sky-400';

/** Readable sections of a container's inspect: what runs, with what, where, and under which limits. */
export function ContainerOverview({
  container,
  hostAddress,
}: {
  container: ContainerInspect;
  hostAddress: string | undefined;
}) {
  const [browserHost, setBrowserHost] = useState('localhost');
  useEffect(() => setBrowserHost(window.location.hostname), []);
  const { Config: config, HostConfig: hostConfig, State: state } = container;
  const ports = portRows(container.NetworkSettings.Ports);
  const networks = Object.entries(container.NetworkSettings.Networks);
  const labels = Object.entries(config.Labels).sort(([a], [b]) => a.localeCompare(b));
  const limits = limitRows(hostConfig);
  const policy = hostConfig.RestartPolicy;

  return (
    <div className="grid grid-cols-1 gap-4 lg:grid-cols-2">
      <Section title="Command">
        <Facts
          rows={[
            ['Command', shellWords(config.Cmd) || '—'],
            ['Entrypoint', shellWords(config.Entrypoint) || '—'],
            ['Runs', shellWords([container.Path, ...container.Args])],
            ['User', config.User || 'image default (root)'],
            ['Working dir', config.WorkingDir || '/'],
            ['Hostname', config.Hostname || '—'],
            ['TTY', config.Tty ? 'yes (-t)' : 'no'],
          ]}
        />
      </Section>

      <Section title="State">
        <Facts
          rows={[
            ['Status', state.Status],
            ['Created', when(container.Created) ?? '—'],
            ['Started', when(state.StartedAt) ?? 'never'],
            ['Finished', when(state.FinishedAt) ?? (state.Running ? 'still running' : '—')],
            ['Exit code', state.Running ? '—' : String(state.ExitCode)],
            ...(state.OOMKilled ? ([['OOM killed', 'yes']] as [string, string][]) : []),
            ...(state.Error ? ([['Error', state.Error]] as [string, string][]) : []),
            ['PID', state.Pid ? String(state.Pid) : '—'],
            ['Restarts', String(container.RestartCount)],
          ]}
        />
      </Section>

      <HealthSection container={container} />

      <Section title="Environment" empty={config.Env.length === 0 && 'No environment variables.'}>
        <EnvList env={config.Env} />
      </Section>

      <Section title="Ports" empty={ports.length === 0 && 'No ports exposed or published.'}>
        <MiniTable
          testId="ports"
          columns={['Container', 'Host']}
          rows={ports.map((port) => {
            const target = `${port.containerPort}/${port.protocol}`;
            if (!port.hostPort)
              return [
                target,
                <span key="n" className="text-slate-500">
                  not published
                </span>,
              ];
            const host = publishedHost(port.hostIp ?? '', hostAddress, browserHost);
            const shown = `${port.hostIp || '0.0.0.0'}:${port.hostPort}`;
            return [
              target,
              port.protocol === 'tcp' ? (
                <a
                  key="a"
                  className={link}
                  href={`http://${host}:${port.hostPort}/`}
                  target="_blank"
                  rel="noreferrer"
                >
                  {shown}
                </a>
              ) : (
                shown
              ),
            ];
          })}
        />
      </Section>

      <Section title="Mounts" empty={container.Mounts.length === 0 && 'No volumes, binds or tmpfs mounts.'}>
        <MiniTable
          testId="mounts"
          columns={['Type', 'Source', 'Destination', 'Mode']}
          rows={container.Mounts.map((mount) => [
            mount.Type,
            mount.Type === 'volume' ? (mount.Name ?? mount.Source) : mount.Source || '—',
            mount.Destination,
            [mount.RW ? 'rw' : 'ro', mount.Mode, mount.Propagation].filter(Boolean).join(', '),
          ])}
        />
      </Section>

      <Section
        title="Networks"
        empty={networks.length === 0 && `Network mode ${hostConfig.NetworkMode}: no networks.`}
      >
        <MiniTable
          testId="networks"
          columns={['Network', 'IP (gateway)', 'MAC', 'Aliases']}
          rows={networks.map(([name, endpoint]) => [
            name,
            endpoint.IPAddress
              ? `${endpoint.IPAddress}/${endpoint.IPPrefixLen}${endpoint.Gateway ? ` (${endpoint.Gateway})` : ''}`
              : '—',
            endpoint.MacAddress || '—',
            endpoint.Aliases.join(', ') || '—',
          ])}
        />
      </Section>

      <Section title="Restart policy and limits">
        <Facts
          rows={[
            [
              'Restart',
              policy.Name === 'on-failure' && policy.MaximumRetryCount > 0
                ? `on-failure (at most ${policy.MaximumRetryCount} retries)`
                : policy.Name || 'no',
            ],
            ['Auto remove', hostConfig.AutoRemove ? 'yes (--rm)' : 'no'],
            ...(limits.length > 0
              ? limits
              : ([['Limits', 'none: it may use all of the host']] as [string, string][])),
          ]}
        />
      </Section>

      <Section title="Labels" empty={labels.length === 0 && 'No labels.'}>
        <MiniTable
          testId="labels"
          columns={['Key', 'Value']}
          rows={labels.map(([key, value]) => [key, value])}
        />
      </Section>
    </div>
  );
}
