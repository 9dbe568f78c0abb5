import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import {
  type InstallAgentInput,
  InstallAgentInput as InstallAgentSchema,
  type InstallProgress,
  type SessionUser,
  type SshHostInput,
  StevedoreError,
} from '@stevedore/shared';
import type { Db } from '../db/client';
import { appendAudit } from '../db/repositories/audit';
import { installAgent } from '../install/agent-installer';
import type { HostService } from './host-service';
import { targetFromInput } from './host-targets';

/** How long a finished installation's log stays readable. */
const KEEP_FINISHED_MS = 15 * 60_000;

interface Job {
  ownerId: string;
  progress: InstallProgress[];
  outcome: { error: string | null } | null;
  controller: AbortController;
  changed: EventEmitter;
}

/**
 * "Install or upgrade the agent over SSH", for a host already added or one about to be. It runs as a
 * background job: started by a mutation (credentials travel in a POST body, never in a URL), then
 * followed, from its first line, by a subscription that may reconnect.
 */
export class AgentInstallService {
  private readonly jobs = new Map<string, Job>();

  constructor(
    private readonly db: Db,
    private readonly hosts: HostService,
    private readonly packageDir: string,
  ) {}

  async start(actor: SessionUser, input: InstallAgentInput): Promise<{ jobId: string }> {
    const { target, ...plan } = InstallAgentSchema.parse(input);
    const hostId = 'hostId' in target ? target.hostId : null;
    const { name, ssh } =
      'hostId' in target ? await this.hosts.sshTargetOf(target.hostId) : newMachine(target);
    const jobId = randomUUID();
    const job: Job = {
      ownerId: actor.id,
      progress: [],
      outcome: null,
      controller: new AbortController(),
      changed: new EventEmitter(),
    };
    job.changed.setMaxListeners(0);
    this.jobs.set(jobId, job);
    const entry = {
      userId: actor.id,
      username: actor.username,
      action: 'host.install-agent',
      hostId,
      target: name,
      params: { ...plan, socketPath: ssh.socketPath },
    };
    void (async () => {
      try {
        let version = '';
        for await (const progress of installAgent(ssh, plan, this.packageDir, job.controller.signal)) {
          if (progress.kind === 'done') version = progress.version;
          job.progress.push(progress);
          job.changed.emit('change');
        }
        job.outcome = { error: null };
        await appendAudit(this.db, { ...entry, params: { ...entry.params, version }, result: 'ok' });
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        job.outcome = { error: message };
        await appendAudit(this.db, { ...entry, result: 'error', error: message }).catch(() => undefined);
      } finally {
        job.changed.emit('change');
        setTimeout(() => this.jobs.delete(jobId), KEEP_FINISHED_MS).unref();
      }
    })();
    return { jobId };
  }

  /** Every progress item of the job from the first, then live; ends with the job (throws if it failed). */
  async *progress(actor: SessionUser, jobId: string, signal?: AbortSignal): AsyncGenerator<InstallProgress> {
    const job = this.jobOf(actor, jobId);
    let next = 0;
    while (!signal?.aborted) {
      while (next < job.progress.length) yield job.progress[next++] as InstallProgress;
      if (job.outcome) {
        if (job.outcome.error) throw new StevedoreError('FAILED_PRECONDITION', job.outcome.error);
        return;
      }
      await new Promise<void>((resolve) => {
        const wake = () => {
          job.changed.off('change', wake);
          signal?.removeEventListener('abort', wake);
          resolve();
        };
        job.changed.on('change', wake);
        signal?.addEventListener('abort', wake);
      });
    }
  }

  cancel(actor: SessionUser, jobId: string): void {
    this.jobOf(actor, jobId).controller.abort();
  }

  private jobOf(actor: SessionUser, jobId: string): Job {
    const job = this.jobs.get(jobId);
    // Another admin's job is as invisible as a missing one: its log may name paths and hosts.
    if (!job || job.ownerId !== actor.id) {
      throw new StevedoreError('NOT_FOUND', `no installation ${jobId}`, { jobId });
    }
    return job;
  }
}

function newMachine(target: SshHostInput) {
  const { ssh } = targetFromInput(target);
  if (!ssh) throw new StevedoreError('INVALID_ARGUMENT', 'installing the agent needs an SSH connection');
  return { name: `${ssh.username}@${ssh.host}`, ssh };
}
