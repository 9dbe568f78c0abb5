/**
 * `npm run bench -- mirrors`: one mirror setting ("the mirror for docker.io is URL") rolled out to
 * 20 agents through the built dashboard's HTTP API, until every host's result is back (measured,
 * never asserted; the goal is ≤ 5 s). The agents are simulated (scripts/bench/fleet-sim.ts:
 * the agent's real API over unix sockets; `registries.set` answers after SET_MS, about what an
 * atomic daemon.json write with fsync takes); the web server, its database, the audit log (one row
 * per host and one per rollout) and the hub are the real ones. Runs alternate between two URLs so
 * every run changes every host.
 */
import { loadavg } from 'node:os';
import { type ApiFleet, startApiFleet } from './api-fleet';
import { percentile, sleep } from './measure';

type Table = (name: string, rows: [string, string][]) => void;

const HOSTS = 20;
const SET_MS = 20;
const RUNS = 7;

interface Report {
  ok: boolean;
  durationMs: number;
  hosts: { hostName: string; result: string }[];
}

export async function benchMirrors(table: Table): Promise<void> {
  let fleet: ApiFleet | undefined;
  try {
    fleet = await startApiFleet({ hosts: HOSTS, containers: 5, eventEveryMs: 0, updateMs: SET_MS }, (i) => ({
      name: `sim-${String(i + 1).padStart(2, '0')}`,
      labels: { fleet: 'bench' },
    }));
    const { call } = fleet;
    const target = { kind: 'labels', selector: 'fleet=bench' };
    const preview: number[] = [];
    const rollout: number[] = [];
    const loads: number[] = [];
    let last: Report | undefined;
    for (let run = 0; run < RUNS; run++) {
      const change = { registry: 'docker.io', mirrors: [{ url: `https://mirror-${run % 2}.example.test` }] };
      let t = performance.now();
      const plans = await call<{ changed: boolean }[]>('registries.preview', { target, change }, false);
      preview.push(performance.now() - t);
      if (plans.filter((p) => p.changed).length !== HOSTS)
        throw new Error(`preview: ${JSON.stringify(plans)}`);
      t = performance.now();
      last = await call<Report>('registries.rollout', { target, change });
      rollout.push(performance.now() - t);
      loads.push(loadavg()[0] ?? 0);
      const applied = last.hosts.filter((h) => h.result === 'applied').length;
      if (!last.ok || applied !== HOSTS) throw new Error(`rollout: ${JSON.stringify(last.hosts)}`);
      await sleep(500);
    }
    const ms = (values: number[], at: number) => `${percentile(values, at).toFixed(0)} ms`;
    table('mirrors', [
      [
        'fleet',
        `${HOSTS} simulated agents (agent API over unix sockets; registries.set answers after ${SET_MS} ms), the real web server, SQLite`,
      ],
      [
        `preview (each host's settings read; before → after), median / max of ${RUNS}`,
        `${ms(preview, 50)} / ${ms(preview, 100)}`,
      ],
      [
        `rollout "mirror for docker.io = URL": click → every host's result, median / max of ${RUNS} (goal ≤ 5 s)`,
        `${ms(rollout, 50)} / ${ms(rollout, 100)}`,
      ],
      [
        'last report',
        last
          ? `${last.hosts.filter((h) => h.result === 'applied').length} of ${last.hosts.length} applied`
          : '—',
      ],
      [
        'machine load (1-min load average) during the runs, median',
        loads.length ? percentile(loads, 50).toFixed(2) : '—',
      ],
    ]);
  } finally {
    await fleet?.stop();
  }
}
