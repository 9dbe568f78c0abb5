import type { ResourcesUpdate } from '@stevedore/shared';
import type { Logger } from 'pino';
import type { Db } from '../../db/client';
import type { AuditEntry } from '../../db/repositories/audit';
import { limitsJson } from '../../db/repositories/presets';

interface AssignmentWrite {
  kind: 'assign';
  presetId: string;
  hostId: string;
  containerId: string;
  containerName: string;
  values: ResourcesUpdate;
  rolloutId: string;
  appliedBy: string;
}
interface AssignmentDrop {
  kind: 'drop';
  hostId: string;
  containerId: string;
  rolloutId: string;
}

/** How often what a rollout has done is written (one transaction each time). */
const FLUSH_EVERY_MS = 250;

/**
 * What a rollout writes as it goes (an audit entry per container, the container's assignment),
 * written in one transaction every quarter second rather than one write per row: a rollout over
 * hundreds of containers would otherwise wait on a commit (an fsync on SQLite) per row. `close`
 * writes the rest; the rollout's record is only finished after it.
 */
export class RolloutJournal {
  private audits: AuditEntry[] = [];
  private assignments: (AssignmentWrite | AssignmentDrop)[] = [];
  private readonly timer: NodeJS.Timeout;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: Db,
    private readonly log: Logger,
  ) {
    this.timer = setInterval(() => void this.flush(), FLUSH_EVERY_MS);
    this.timer.unref();
  }

  audit(entry: AuditEntry): void {
    this.audits.push(entry);
  }

  assign(write: Omit<AssignmentWrite, 'kind'>): void {
    this.assignments.push({ kind: 'assign', ...write });
  }

  drop(drop: Omit<AssignmentDrop, 'kind'>): void {
    this.assignments.push({ kind: 'drop', ...drop });
  }

  /** Writes what is pending; one write at a time, in order. */
  flush(): Promise<void> {
    this.writing = this.writing.then(() => this.write());
    return this.writing;
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }

  private async write(): Promise<void> {
    const audits = this.audits.splice(0);
    const assignments = this.assignments.splice(0);
    if (audits.length === 0 && assignments.length === 0) return;
    const { db } = this;
    try {
      await db.$transaction([
        ...(audits.length
          ? [
              db.auditLog.createMany({
                data: audits.map(({ params, ...entry }) => ({ ...entry, params: JSON.stringify(params) })),
              }),
            ]
          : []),
        ...assignments.map((op) => {
          if (op.kind === 'drop') {
            const { kind: _kind, ...where } = op;
            return db.presetAssignment.deleteMany({ where });
          }
          const { kind: _kind, ...row } = op;
          const data = { ...row, values: limitsJson(row.values), appliedAt: new Date() };
          return db.presetAssignment.upsert({
            where: { hostId_containerId: { hostId: row.hostId, containerId: row.containerId } },
            create: data,
            update: data,
          });
        }),
      ]);
    } catch (error) {
      // The changes were made on the hosts; losing their record must at least be loud.
      this.log.error(
        { err: error, audits: audits.length, assignments: assignments.length },
        'writing a rollout’s audit entries and assignments failed',
      );
    }
  }
}
