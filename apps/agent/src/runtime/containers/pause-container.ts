import { StevedoreError } from '@stevedore/shared';
import { type ContainerContext, notRunning } from './service-context.js';

/** `pause` / `unpause`: freezes and thaws every process of a running container (runc's freezer). */
export class ContainerPauser {
  constructor(private readonly ctx: ContainerContext) {}

  async pause(ref: string): Promise<void> {
    const { store, runc } = this.ctx.deps;
    const id = store.get(ref).Id;
    await this.ctx.withLock(id, async () => {
      const record = store.get(id);
      if (!record.State.Running) throw notRunning(record);
      if (record.State.Paused) throw new StevedoreError('CONFLICT', `Container ${id} is already paused`);
      await runc.pause(id);
      const paused = { ...record, State: { ...record.State, Status: 'paused' as const, Paused: true } };
      store.update(paused);
      this.ctx.publish(paused, 'pause');
    });
    await store.written(id);
  }

  async unpause(ref: string): Promise<void> {
    const { store, runc } = this.ctx.deps;
    const id = store.get(ref).Id;
    await this.ctx.withLock(id, async () => {
      const record = store.get(id);
      if (!record.State.Paused) throw new StevedoreError('CONFLICT', `Container ${id} is not paused`);
      await runc.resume(id);
      const running = { ...record, State: { ...record.State, Status: 'running' as const, Paused: false } };
      store.update(running);
      this.ctx.publish(running, 'unpause');
    });
    await store.written(id);
  }
}
