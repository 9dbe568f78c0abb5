/**
 * `npm run bench -- presets`: a preset applied to 500 containers on 10 agents, end to end through
 * the built dashboard's HTTP API (measured, never asserted). The agents are simulated
 * (scripts/bench/fleet-sim.ts: the agent's real API over unix sockets, fake containers whose
 * `update` takes UPDATE_MS like a real engine's `runc update`); the web server, its database, the
 * audit log and the hub are the real ones.
 *
 * One run: `presets.preview` (every container inspected), then `presets.rollout` and polling
 * `presets.rolloutStatus` every 100 ms until the per-container report is complete. Runs alternate
 * between two presets so every run changes every container.
 */
import { loadavg } from 'node:os';
import { type ApiFleet, startApiFleet } from './api-fleet';
import { percentile, sleep } from './measure';

type Table = (name: string, rows: [string, string][]) => void;

const HOSTS = 10;
const CONTAINERS = 50;
const UPDATE_MS = 20;
const RUNS = 5;

interface RolloutReport {
  id: string;
  status: string;
  counts: { total: number; ok: number; error: number; skipped: number; pending: number };
}

export async function benchPresets(table: Table): Promise<void> {
  let fleet: ApiFleet | undefined;
  try {
    fleet = await startApiFleet(
      { hosts: HOSTS, containers: CONTAINERS, eventEveryMs: 0, updateMs: UPDATE_MS },
      (i) => ({ name: `sim-${i + 1}` }),
    );
    const { call } = fleet;
    const MiB = 1024 * 1024;
    const presets = await Promise.all(
      [256, 512].map((mib) =>
        call<{ id: string }>('presets.create', {
          name: `bench-${mib}m`,
          limits: { Memory: mib * MiB, NanoCpus: 1_000_000_000, PidsLimit: 200 },
        }),
      ),
    );
    // Every simulated container carries com.example.team: the selector matches the whole fleet.
    const target = { kind: 'labels', selector: 'com.example.team' };
    const preview: number[] = [];
    const endToEnd: number[] = [];
    const firstResult: number[] = [];
    const loads: number[] = [];
    let last: RolloutReport | undefined;
    for (let run = 0; run < RUNS; run++) {
      const preset = presets[run % 2] as { id: string };
      let t = performance.now();
      const shown = await call<{ rows: unknown[] }>(
        'presets.preview',
        { presetId: preset.id, target },
        false,
      );
      preview.push(performance.now() - t);
      if (shown.rows.length !== HOSTS * CONTAINERS)
        throw new Error(`preview shows ${shown.rows.length} containers`);
      t = performance.now();
      const started = await call<RolloutReport>('presets.rollout', {
        presetId: preset.id,
        target,
      });
      let seenFirst = false;
      for (;;) {
        last = await call<RolloutReport>('presets.rolloutStatus', { rolloutId: started.id }, false);
        if (!seenFirst && last.counts.pending < last.counts.total) {
          firstResult.push(performance.now() - t);
          seenFirst = true;
        }
        if (last.status !== 'running') break;
        await sleep(100);
      }
      endToEnd.push(performance.now() - t);
      loads.push(loadavg()[0] ?? 0);
      if (last.counts.ok !== HOSTS * CONTAINERS) throw new Error(`rollout: ${JSON.stringify(last.counts)}`);
      await sleep(1_000);
    }
    const ms = (values: number[], at: number) => `${percentile(values, at).toFixed(0)} ms`;
    table('presets', [
      [
        'fleet',
        `${HOSTS} simulated agents × ${CONTAINERS} containers (agent API over unix sockets; update answers after ${UPDATE_MS} ms), the real web server, SQLite`,
      ],
      [
        `preview of 500 containers (list + inspect each), median / max of ${RUNS}`,
        `${ms(preview, 50)} / ${ms(preview, 100)}`,
      ],
      [
        `rollout of 500 containers: click → complete per-container report (polled every 100 ms), median / max of ${RUNS}`,
        `${ms(endToEnd, 50)} / ${ms(endToEnd, 100)}`,
      ],
      ['… first container result visible, median', ms(firstResult, 50)],
      [
        'last report',
        last ? `${last.counts.ok} ok, ${last.counts.error} failed, ${last.counts.skipped} skipped` : '—',
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
