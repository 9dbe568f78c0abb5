import {
  CreatePresetInput,
  type DriftInput,
  DriftInput as DriftInputSchema,
  type DriftReport,
  type DriftRow,
  type HostSummary,
  type Preset,
  type Preview,
  type PreviewInput,
  PreviewInput as PreviewInputSchema,
  type SessionUser,
  UpdatePresetInput,
} from '@stevedore/shared';
import type { Db } from '../../db/client';
import {
  createPresetRow,
  deletePresetRow,
  getPresetRow,
  listAssignments,
  listPresetRows,
  parseLimits,
  updatePresetRow,
} from '../../db/repositories/presets';
import { mapLimited } from '../../util/map-limited';
import { audited } from '../audited';
import { groupBy, type PresetFleetCalls } from './fleet-calls';
import { resolveTargets } from './fleet-targets';
import { changesFor, differencesFrom, kernelView } from './limit-values';
import { type Recommender, recommendedValuesFor } from './recommended-values';

/** Inspects per host at once while previewing or checking drift. */
const INSPECT_CONCURRENCY = 8;

type PresetRow = Awaited<ReturnType<typeof getPresetRow>>;

export function toPreset(row: PresetRow): Preset {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    limits: parseLimits(row.limits, `preset "${row.name}"`),
    createdAt: row.createdAt.toISOString(),
    createdBy: row.createdBy,
    updatedAt: row.updatedAt.toISOString(),
    updatedBy: row.updatedBy,
    assigned: row._count.assignments,
  };
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));
const isNotFound = (error: unknown) =>
  (error as { code?: string }).code === 'NOT_FOUND' || /no such container/i.test(messageOf(error));

/** Presets themselves (stored, audited), what applying one would change, and drift. */
export class PresetService {
  constructor(
    private readonly db: Db,
    private readonly hosts: { list(): Promise<HostSummary[]> },
    private readonly calls: PresetFleetCalls,
    private readonly recommend?: Recommender,
  ) {}

  async list(): Promise<Preset[]> {
    return (await listPresetRows(this.db)).map(toPreset);
  }

  async get(presetId: string): Promise<Preset> {
    return toPreset(await getPresetRow(this.db, presetId));
  }

  async create(actor: SessionUser, input: CreatePresetInput): Promise<Preset> {
    const { name, description, limits } = CreatePresetInput.parse(input);
    return audited(
      this.db,
      actor,
      { action: 'preset.create', target: name, params: { name, description, limits } },
      async () => toPreset(await createPresetRow(this.db, { name, description, limits, by: actor.username })),
    );
  }

  async update(actor: SessionUser, input: UpdatePresetInput): Promise<Preset> {
    const { presetId, ...changes } = UpdatePresetInput.parse(input);
    const before = toPreset(await getPresetRow(this.db, presetId));
    return audited(
      this.db,
      actor,
      {
        action: 'preset.update',
        target: before.name,
        params: {
          presetId,
          before: { name: before.name, description: before.description, limits: before.limits },
          after: changes,
        },
      },
      async () => toPreset(await updatePresetRow(this.db, presetId, { ...changes, by: actor.username })),
    );
  }

  async remove(actor: SessionUser, presetId: string): Promise<void> {
    const preset = toPreset(await getPresetRow(this.db, presetId));
    await audited(
      this.db,
      actor,
      {
        action: 'preset.delete',
        target: preset.name,
        params: { presetId, limits: preset.limits, assigned: preset.assigned },
      },
      async () => {
        await deletePresetRow(this.db, presetId);
      },
    );
  }

  /**
   * Host × container × field: the value now (from inspect) → the preset's, or → the container's
   * own recommendation (containers without enough history listed as skipped, with why). Changes nothing.
   */
  async preview(input: PreviewInput): Promise<Preview> {
    const { presetId, target, policy } = PreviewInputSchema.parse(input);
    const recommend = this.recommend;
    if (policy.kind === 'recommended' && !recommend)
      throw new Error('recommended limits need the limits service (wire it in services/index.ts)');
    const preset = await this.get(presetId);
    const resolved = await resolveTargets(target, {
      hosts: () => this.hosts.list(),
      list: (id) => this.calls.list(id),
    });
    const byHost = groupBy(resolved.containers, (c) => c.hostId);
    const rows = (
      await Promise.all(
        [...byHost.values()].map((containers) =>
          mapLimited(containers, INSPECT_CONCURRENCY, async (container) => {
            try {
              let limits = preset.limits;
              if (policy.kind === 'recommended' && recommend) {
                const recommended = await recommendedValuesFor(container, policy, recommend);
                if (recommended.values === null)
                  return { ...container, changes: [], error: null, skipped: recommended.skipped };
                limits = recommended.values;
              }
              const current = await this.calls.hostConfig(container.hostId, container.containerId);
              return { ...container, changes: changesFor(current, limits), error: null, skipped: null };
            } catch (error) {
              return { ...container, changes: [], error: messageOf(error), skipped: null };
            }
          }),
        ),
      )
    ).flat();
    const unresolved = resolved.unresolved.map(({ error, ...container }) => ({
      ...container,
      changes: [],
      error,
    }));
    return { presetId, rows: [...rows, ...unresolved], hosts: resolved.hosts };
  }

  /**
   * Containers whose limits no longer match the preset they were last given (changed with the CLI,
   * by hand in the panel, recreated, or a cgroup file written behind the engine's back): what the
   * kernel holds (the agent's cgroup readings; the configuration where there is none) against the
   * applied values.
   */
  async drift(input: DriftInput = {}): Promise<DriftReport> {
    const { presetId } = DriftInputSchema.parse(input);
    const [assignments, hosts] = await Promise.all([listAssignments(this.db, presetId), this.hosts.list()]);
    const hostNames = new Map(hosts.map((host) => [host.id, host.name]));
    const rows = (
      await Promise.all(
        [...groupBy(assignments, (a) => a.hostId).entries()].map(([hostId, onHost]) =>
          mapLimited(onHost, INSPECT_CONCURRENCY, async (assignment): Promise<DriftRow | null> => {
            const row = {
              presetId: assignment.presetId,
              presetName: assignment.preset.name,
              hostId,
              hostName: hostNames.get(hostId) ?? hostId,
              containerId: assignment.containerId,
              containerName: assignment.containerName,
              appliedAt: assignment.appliedAt.toISOString(),
              appliedBy: assignment.appliedBy,
            };
            if (!hostNames.has(hostId)) {
              return {
                ...row,
                status: 'missing',
                differences: [],
                error: `host ${hostId} is no longer registered`,
              };
            }
            try {
              const [configured, kernel] = await Promise.all([
                this.calls.hostConfig(hostId, assignment.containerId),
                this.calls.limits(hostId, assignment.containerId),
              ]);
              const { current, fromKernel } = kernelView(configured, kernel.readings);
              const values = parseLimits(assignment.values, `assignment of ${assignment.containerName}`);
              const differences = differencesFrom(current, values).map((difference) => ({
                ...difference,
                source: fromKernel.has(difference.field) ? ('kernel' as const) : ('configuration' as const),
              }));
              return differences.length ? { ...row, status: 'drifted', differences, error: null } : null;
            } catch (error) {
              return {
                ...row,
                status: isNotFound(error) ? 'missing' : 'unreachable',
                differences: [],
                error: messageOf(error),
              };
            }
          }),
        ),
      )
    )
      .flat()
      .filter((row): row is DriftRow => row !== null);
    return { rows, checked: assignments.length, checkedAt: new Date().toISOString() };
  }
}
