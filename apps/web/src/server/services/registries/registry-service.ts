import {
  type HostSummary,
  type MirrorHealthReport,
  type PullRecord,
  parseLabelSelector,
  type RegistryHostPlan,
  type RegistryPreviewInput,
  type RegistryRolloutInputValue,
  type RegistryRolloutReport,
  type RegistrySettings,
  type RegistrySettingsList,
  type RegistrySettingsValue,
  type RegistryTarget,
  type SessionUser,
  StevedoreError,
  selectorMatches,
} from '@stevedore/shared';
import type { z } from 'zod';
import type { Db } from '../../db/client';
import { getHost } from '../../db/repositories/hosts';
import type { AgentHub } from '../../hub/agent-hub';
import { agentCall } from '../agent-errors';
import { audited } from '../audited';
import type { HostService } from '../host-service';
import { caFingerprint, digestOf, emptySettings, settingsValueOf } from './registry-plan';
import { previewChange, type RolloutHost, runRollout } from './registry-rollout';

/**
 * Registries and mirrors: one host's settings (read by everyone, changed by admins: it is host
 * configuration), its mirrors' health and recent pulls, and one change rolled out across hosts.
 */
export class RegistryService {
  constructor(
    private readonly db: Db,
    private readonly hub: AgentHub,
    private readonly hosts: HostService,
  ) {}

  async list(hostId: string): Promise<RegistrySettingsList> {
    await getHost(this.db, hostId);
    return agentCall({ hostId }, () => this.hub.call(hostId, (client) => client.registries.list.query()));
  }

  async health(hostId: string): Promise<MirrorHealthReport> {
    await getHost(this.db, hostId);
    return agentCall({ hostId }, () => this.hub.call(hostId, (client) => client.registries.health.query()));
  }

  async recentPulls(hostId: string, limit: number): Promise<PullRecord[]> {
    await getHost(this.db, hostId);
    return agentCall({ hostId }, () =>
      this.hub.call(hostId, (client) => client.registries.recentPulls.query({ limit })),
    );
  }

  /**
   * Every mirror of the host now, or (with `target`) one registry's endpoints in the order a pull
   * would try them (mirrors first; the registry itself with `upstream`), in the report's `endpoints`.
   */
  async probe(
    actor: SessionUser,
    hostId: string,
    target?: { registry: string; upstream: boolean },
  ): Promise<MirrorHealthReport> {
    const host = await getHost(this.db, hostId);
    return audited(
      this.db,
      actor,
      {
        action: 'registries.probe',
        hostId,
        target: target?.registry ?? host.name,
        ...(target ? { params: { registry: target.registry, upstream: target.upstream } } : {}),
      },
      () =>
        agentCall({ hostId }, () =>
          this.hub.call(hostId, (client) => client.registries.probe.mutate(target)),
        ),
    );
  }

  /** One host, one registry: the settings replaced, audited with before and after. */
  async set(actor: SessionUser, hostId: string, settings: RegistrySettingsValue): Promise<RegistrySettings> {
    const host = await getHost(this.db, hostId);
    const current = await this.read(hostId, settings.registry);
    return audited(
      this.db,
      actor,
      {
        action: 'registries.set',
        hostId,
        target: settings.registry,
        params: {
          registry: settings.registry,
          before: digestOf(settingsValueOf(current), current),
          after: digestOf(settings, current),
        },
      },
      () => this.write(hostId, settings, host.name),
    );
  }

  async preview(input: z.infer<typeof RegistryPreviewInput>): Promise<RegistryHostPlan[]> {
    const hosts = await this.targets(input.target);
    const plans = await previewChange(hosts, input.change, {
      read: (hostId, registry) => this.read(hostId, registry),
    });
    return plans
      .map(({ host, plan, error }) => ({
        hostId: host.hostId,
        hostName: host.hostName,
        before: plan?.before ?? null,
        after: plan?.after ?? null,
        changed: plan?.changed ?? false,
        error,
      }))
      .sort((a, b) => a.hostName.localeCompare(b.hostName));
  }

  /** The change on every targeted host at once; a failure rolls the others back (if asked). */
  async rollout(actor: SessionUser, input: RegistryRolloutInputValue): Promise<RegistryRolloutReport> {
    const hosts = await this.targets(input.target);
    const { change } = input;
    const summary = {
      registry: change.registry,
      target: input.target,
      change: {
        ...(change.mirrors !== undefined ? { mirrors: change.mirrors.map((m) => m.url) } : {}),
        ...(change.insecure !== undefined ? { insecure: change.insecure } : {}),
        ...(change.ca !== undefined ? { ca: caFingerprint(change.ca) } : {}),
      },
      rollbackOnFailure: input.rollbackOnFailure,
    };
    const report = await audited(
      this.db,
      actor,
      { action: 'registries.rollout', target: change.registry, params: summary },
      () =>
        runRollout(
          hosts,
          change,
          {
            read: (hostId, registry) => this.read(hostId, registry),
            write: (host, value, audit) =>
              audited(
                this.db,
                actor,
                {
                  action: audit.kind === 'apply' ? 'registries.set' : 'registries.rollback',
                  hostId: host.hostId,
                  target: value.registry,
                  params: {
                    registry: value.registry,
                    before: audit.before,
                    after: audit.after,
                    rollout: true,
                  },
                },
                async () => {
                  await this.write(host.hostId, value, host.hostName);
                },
              ),
          },
          { rollbackOnFailure: input.rollbackOnFailure },
        ),
    );
    return report;
  }

  /** The hosts a target means: the picked ones, or every host whose labels match the selector. */
  private async targets(target: RegistryTarget): Promise<RolloutHost[]> {
    const all = await this.hosts.list();
    let chosen: HostSummary[];
    if (target.kind === 'hosts') {
      const byId = new Map(all.map((h) => [h.id, h]));
      const missing = target.hostIds.filter((id) => !byId.has(id));
      if (missing.length > 0) {
        throw new StevedoreError('NOT_FOUND', `host ${missing.join(', ')} is not registered`, {
          hostIds: missing,
        });
      }
      chosen = [...new Set(target.hostIds)].map((id) => byId.get(id) as HostSummary);
    } else {
      let terms: ReturnType<typeof parseLabelSelector>;
      try {
        terms = parseLabelSelector(target.selector);
      } catch (error) {
        throw new StevedoreError('INVALID_ARGUMENT', (error as Error).message, { selector: target.selector });
      }
      chosen = all.filter((h) => selectorMatches(h.labels, terms));
      if (chosen.length === 0) {
        throw new StevedoreError('NOT_FOUND', `no host has labels matching "${target.selector}"`, {
          selector: target.selector,
        });
      }
    }
    return chosen.map((h) => ({ hostId: h.id, hostName: h.name }));
  }

  private async read(hostId: string, registry: string): Promise<RegistrySettings> {
    const list = await agentCall({ hostId }, () =>
      this.hub.call(hostId, (client) => client.registries.list.query()),
    );
    const problem = list.problems.find((p) => p.registry === registry);
    if (problem) throw new StevedoreError('FAILED_PRECONDITION', problem.error, { hostId, registry });
    return list.registries.find((r) => r.registry === registry) ?? emptySettings(registry);
  }

  private write(
    hostId: string,
    settings: RegistrySettingsValue,
    hostName: string,
  ): Promise<RegistrySettings> {
    return agentCall({ hostId, host: hostName, registry: settings.registry }, () =>
      this.hub.call(hostId, (client) => client.registries.set.mutate(settings)),
    );
  }
}
