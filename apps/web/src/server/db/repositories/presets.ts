import { type ResourcesUpdate, ResourcesUpdateSchema, StevedoreError } from '@stevedore/shared';
import type { Db } from '../client';
import { mapDbErrors } from '../errors';

/**
 * Limit presets, their rollouts and assignments. Limits are stored as JSON and checked with the
 * shared ResourcesUpdateSchema when written and again when read (a row edited by hand or written by
 * an older version is reported, never applied).
 */

export function parseLimits(json: string, what: string): ResourcesUpdate {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    throw new StevedoreError('INTERNAL', `${what}: stored limits are not JSON`, { what }, { cause: error });
  }
  const parsed = ResourcesUpdateSchema.safeParse(value);
  if (!parsed.success) {
    throw new StevedoreError(
      'INTERNAL',
      `${what}: stored limits are invalid (${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')})`,
      { what },
    );
  }
  return parsed.data;
}

export const limitsJson = (limits: ResourcesUpdate): string =>
  JSON.stringify(ResourcesUpdateSchema.parse(limits));

export const listPresetRows = (db: Db) =>
  db.limitPreset.findMany({
    orderBy: { name: 'asc' },
    include: { _count: { select: { assignments: true } } },
  });

export async function getPresetRow(db: Db, id: string) {
  const row = await db.limitPreset.findUnique({
    where: { id },
    include: { _count: { select: { assignments: true } } },
  });
  if (!row) throw new StevedoreError('NOT_FOUND', `preset ${id} not found`, { presetId: id });
  return row;
}

export const createPresetRow = (
  db: Db,
  data: { name: string; description: string; limits: ResourcesUpdate; by: string },
) =>
  mapDbErrors('preset', data.name, () =>
    db.limitPreset.create({
      data: {
        name: data.name,
        description: data.description,
        limits: limitsJson(data.limits),
        createdBy: data.by,
        updatedBy: data.by,
      },
      include: { _count: { select: { assignments: true } } },
    }),
  );

export const updatePresetRow = (
  db: Db,
  id: string,
  data: { name?: string; description?: string; limits?: ResourcesUpdate; by: string },
) =>
  mapDbErrors('preset', data.name ?? id, () =>
    db.limitPreset.update({
      where: { id },
      data: {
        ...(data.name !== undefined ? { name: data.name } : {}),
        ...(data.description !== undefined ? { description: data.description } : {}),
        ...(data.limits !== undefined ? { limits: limitsJson(data.limits) } : {}),
        updatedBy: data.by,
      },
      include: { _count: { select: { assignments: true } } },
    }),
  );

export const deletePresetRow = (db: Db, id: string) =>
  mapDbErrors('preset', id, () => db.limitPreset.delete({ where: { id } }));

export const createRolloutRow = (
  db: Db,
  data: {
    presetId: string;
    kind: 'apply' | 'rollback';
    rollbackOf: string | null;
    target: unknown;
    stopOnFailure: boolean;
    startedBy: string;
    results: unknown[];
  },
) =>
  db.presetRollout.create({
    data: {
      ...data,
      target: JSON.stringify(data.target),
      results: JSON.stringify(data.results),
      status: 'running',
    },
  });

export const finishRolloutRow = (db: Db, id: string, status: string, results: unknown[]) =>
  db.presetRollout.update({
    where: { id },
    data: { status, finishedAt: new Date(), results: JSON.stringify(results) },
  });

export const getRolloutRow = (db: Db, id: string) =>
  db.presetRollout.findUnique({ where: { id }, include: { preset: { select: { name: true } } } });

export const listRolloutRows = (db: Db, presetId: string, limit: number) =>
  db.presetRollout.findMany({
    where: { presetId },
    orderBy: { startedAt: 'desc' },
    take: limit,
    include: { preset: { select: { name: true } } },
  });

export const listAssignments = (db: Db, presetId?: string) =>
  db.presetAssignment.findMany({
    where: presetId ? { presetId } : {},
    orderBy: [{ hostId: 'asc' }, { containerName: 'asc' }],
    include: { preset: { select: { name: true } } },
  });
