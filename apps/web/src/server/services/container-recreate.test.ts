import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ContainerCreate, ContainerInspect } from '@stevedore/shared';
import pino from 'pino';
import type { AgentClient } from '../hub/agent-hub';
import {
  type AgentCaller,
  type RecreatePlan,
  recreateContainer,
  settleInterruptedRecreate,
} from './container-recreate';

interface FakeContainer {
  id: string;
  name: string;
  running: boolean;
  /** network → fixed address ('' for one the engine picks). */
  networks: Map<string, string>;
}

/**
 * An engine that keeps names unique and fixed addresses taken, and that can die at a given call:
 * that call fails (after doing its work when `actsThenDies`), and so do the next `downFor` calls —
 * the agent restarting — before it answers again.
 */
class FakeEngine {
  readonly containers = new Map<string, FakeContainer>();
  calls = 0;
  /** The web server's process dies at this call (acting first when `actsThenDies`): nothing after it happens. */
  webDiesAt = -1;
  private webDead = false;
  private down = 0;
  private next = 0;
  constructor(
    private readonly dieAt = -1,
    private readonly actsThenDies = false,
    private readonly downFor = 2,
  ) {}

  add(container: FakeContainer) {
    this.containers.set(container.id, container);
  }

  named(name: string) {
    return [...this.containers.values()].filter((c) => c.name === name);
  }

  private find(ref: string): FakeContainer {
    const found = this.containers.get(ref) ?? this.named(ref)[0];
    if (!found) throw new Error(`No such container: ${ref}`);
    return found;
  }

  private takenAddress(network: string, address: string, except?: string) {
    return [...this.containers.values()].some((c) => c.id !== except && c.networks.get(network) === address);
  }

  /** A new web server process: calls reach the agent again. */
  restartWeb() {
    this.webDead = false;
    this.webDiesAt = -1;
  }

  private step<T>(work: () => T): Promise<T> {
    const index = this.calls++;
    if (this.webDead) return new Promise<T>(() => {});
    if (index === this.webDiesAt) {
      this.webDead = true;
      if (this.actsThenDies) work();
      return new Promise<T>(() => {});
    }
    if (this.down > 0) {
      this.down--;
      return Promise.reject(new Error('agent connection closed'));
    }
    if (index === this.dieAt) {
      this.down = this.downFor;
      if (this.actsThenDies) work();
      return Promise.reject(new Error('agent connection closed'));
    }
    try {
      return Promise.resolve(work());
    } catch (error) {
      return Promise.reject(error);
    }
  }

  readonly client = {
    containers: {
      inspect: {
        query: ({ container }: { container: string }) =>
          this.step(() => {
            const c = this.find(container);
            return {
              Id: c.id,
              Name: `/${c.name}`,
              State: { Running: c.running },
              NetworkSettings: { Networks: Object.fromEntries([...c.networks.keys()].map((n) => [n, {}])) },
            };
          }),
      },
      create: {
        mutate: (input: ContainerCreate) =>
          this.step(() => {
            const name = input.name ?? '';
            if (this.named(name).length > 0) throw new Error(`name ${name} is in use`);
            const networks = new Map<string, string>();
            const mode = input.HostConfig.NetworkMode;
            const address = input.NetworkingConfig.EndpointsConfig[mode]?.IPAMConfig.IPv4Address ?? '';
            if (address && this.takenAddress(mode, address)) throw new Error(`address ${address} is in use`);
            networks.set(mode, address);
            const id = `new${this.next++}`;
            this.add({ id, name, running: false, networks });
            return { Id: id, Warnings: [] };
          }),
      },
      start: {
        mutate: ({ container }: { container: string }) =>
          this.step(() => {
            this.find(container).running = true;
          }),
      },
      stop: {
        mutate: ({ container }: { container: string }) =>
          this.step(() => {
            this.find(container).running = false;
          }),
      },
      remove: {
        mutate: ({ container }: { container: string }) =>
          this.step(() => void this.containers.delete(this.find(container).id)),
      },
      rename: {
        mutate: ({ container, name }: { container: string; name: string }) =>
          this.step(() => {
            if (this.named(name).length > 0) throw new Error(`name ${name} is in use`);
            this.find(container).name = name;
          }),
      },
    },
    networks: {
      connect: {
        mutate: (input: { network: string; container: string; IPv4Address?: string }) =>
          this.step(() => {
            const c = this.find(input.container);
            const address = input.IPv4Address ?? '';
            if (address && this.takenAddress(input.network, address, c.id)) {
              throw new Error(`address ${address} is in use`);
            }
            c.networks.set(input.network, address);
          }),
      },
      disconnect: {
        mutate: (input: { network: string; container: string }) =>
          this.step(() => void this.find(input.container).networks.delete(input.network)),
      },
    },
  };

  readonly call: AgentCaller = (fn) => fn(this.client as unknown as AgentClient);
}

/** The old container as inspect shows it: on `app-net` at 10.5.0.9 (`--ip`), and on `extra`. */
const OLD = {
  Id: 'old',
  Name: '/web',
  State: { Running: true, Paused: false, Restarting: false },
  HostConfig: { NetworkMode: 'app-net', AutoRemove: false },
  NetworkSettings: {
    Networks: {
      'app-net': { Aliases: ['web-alias'], IPAddress: '10.5.0.9', IPAMConfig: { IPv4Address: '10.5.0.9' } },
      extra: { Aliases: [], IPAddress: '10.6.0.3', IPAMConfig: null },
    },
  },
} as unknown as ContainerInspect;

const NEXT = {
  name: 'web',
  Config: {},
  HostConfig: { NetworkMode: 'app-net' },
  NetworkingConfig: {
    EndpointsConfig: { 'app-net': { Aliases: ['web-alias'], IPAMConfig: { IPv4Address: '10.5.0.9' } } },
  },
} as unknown as ContainerCreate;

const log = pino({ level: 'silent' });
const FAST = { settleMs: 50, retryMs: 1 };

function engineWithOld(dieAt = -1, actsThenDies = false) {
  const engine = new FakeEngine(dieAt, actsThenDies);
  engine.add({
    id: 'old',
    name: 'web',
    running: true,
    networks: new Map([
      ['app-net', '10.5.0.9'],
      ['extra', ''],
    ]),
  });
  return engine;
}

describe('recreateContainer', () => {
  test('the new container takes the name, the fixed address and the other network; the old one is gone', async () => {
    const engine = engineWithOld();
    const result = await recreateContainer(engine.call, OLD, NEXT, log, FAST);
    assert.deepEqual([...engine.containers.keys()], [result.id]);
    const replacement = engine.containers.get(result.id);
    assert.equal(replacement?.name, 'web');
    assert.equal(replacement?.running, true);
    assert.deepEqual(Object.fromEntries(replacement?.networks ?? []), { 'app-net': '10.5.0.9', extra: '' });
  });

  test('whichever call fails (the agent dying before or after acting), one container has the name', async () => {
    const clean = engineWithOld();
    await recreateContainer(clean.call, OLD, NEXT, log, FAST);
    assert.ok(clean.calls > 5);
    for (const actsThenDies of [false, true]) {
      for (let dieAt = 0; dieAt < clean.calls; dieAt++) {
        const engine = engineWithOld(dieAt, actsThenDies);
        const where = `agent dies at call ${dieAt}${actsThenDies ? ' after acting' : ''}`;
        const outcome = await recreateContainer(engine.call, OLD, NEXT, log, FAST).then(
          (result) => ({ ok: true as const, id: result.id }),
          (error: Error) => ({ ok: false as const, error }),
        );
        const holders = engine.named('web');
        assert.equal(holders.length, 1, `${where}: one container named web`);
        assert.equal(engine.containers.size, outcome.ok ? 1 : engine.containers.size, where);
        if (outcome.ok) {
          assert.equal(holders[0]?.id, outcome.id, `${where}: the new one has the name`);
        } else {
          assert.deepEqual([...engine.containers.keys()], ['old'], `${where}: the new one is removed`);
          const old = engine.containers.get('old');
          assert.equal(old?.name, 'web', where);
          assert.equal(old?.running, true, `${where}: the old one runs again`);
          assert.deepEqual(
            Object.fromEntries(old?.networks ?? []),
            { 'app-net': '10.5.0.9', extra: '' },
            `${where}: the old one has its address back`,
          );
        }
      }
    }
  });

  test('a web server killed at any call leaves a plan the next one settles: one container has the name, running', async () => {
    const clean = engineWithOld();
    await recreateContainer(clean.call, OLD, NEXT, log, FAST);
    for (const actsThenDies of [false, true]) {
      for (let dieAt = 0; dieAt < clean.calls; dieAt++) {
        const engine = new FakeEngine(-1, actsThenDies);
        for (const [id, c] of engineWithOld().containers) engine.containers.set(id, c);
        engine.webDiesAt = dieAt;
        const where = `web dies at call ${dieAt}${actsThenDies ? ' after the agent acted' : ''}`;
        let last: RecreatePlan | null = null;
        // The dead process never answers: the recreate stays pending, as it would in a killed server.
        void recreateContainer(engine.call, OLD, NEXT, log, FAST, async (plan) => {
          last = structuredClone(plan);
        });
        await new Promise((resolve) => setTimeout(resolve, 5));
        engine.restartWeb();
        if (!last) {
          assert.deepEqual(
            [...engine.containers.keys()],
            ['old'],
            `${where}: nothing was done before the plan`,
          );
          continue;
        }
        const outcome = await settleInterruptedRecreate(engine.call, last, log, FAST);
        const holders = engine.named('web');
        assert.equal(holders.length, 1, `${where}: one container named web`);
        assert.equal(
          engine.containers.size,
          1,
          `${where}: nothing else is left (${[...engine.containers.keys()]})`,
        );
        assert.equal(holders[0]?.running, true, `${where}: it runs`);
        assert.deepEqual(
          Object.fromEntries(holders[0]?.networks ?? []),
          { 'app-net': '10.5.0.9', extra: '' },
          where,
        );
        assert.equal(holders[0]?.id === 'old', outcome === 'rolled back', `${where}: ${outcome}`);
        // Settling again (a second process, or a row left behind) changes nothing.
        await settleInterruptedRecreate(engine.call, last, log, FAST);
        assert.deepEqual(
          engine.named('web').map((c) => c.id),
          [holders[0]?.id],
          `${where}: settled twice`,
        );
      }
    }
  });
});
