/**
 * What `npm run bench -- fleet` measures per build (the figures), the windows it measures them
 * over, and how they are reported as a table.
 */
import type { FleetLoad } from './fleet-load';
import type { OpenPageCost } from './fleet-probes';
import { percentile } from './measure';
import type { ProcessWindow } from './process-usage';

export const LOADS = 3;
export const IDLE_WINDOW_MS = 20_000;
export const OPEN_WINDOW_MS = 20_000;

export interface BuildFigures {
  registerS: number;
  idle: ProcessWindow;
  healthIdle: number[];
  hostsLoads: FleetLoad[];
  /** Health samples while each kind of page loads (the target is over all of them together). */
  healthDuringLoads: PageLoadSamples;
  /** A do-nothing server in its own process, probed at the same time: the machine's floor. */
  floorDuringLoads: PageLoadSamples;
  hostPage: number[];
  containersLoads: { ready: number; firstMessage: number }[];
  /** The first /containers load, with the list cold (nobody had watched it for a while). */
  containersCold: { ready: number; firstMessage: number } | null;
  hostsOpen: OpenPageCost;
  containersOpen: OpenPageCost;
  watched: ProcessWindow;
  healthWatched: number[];
  floorWatched: number[];
  events: number[];
  eventsLost: number;
}

export interface PageLoadSamples {
  hosts: number[];
  hostPage: number[];
  containers: number[];
}

export function report(
  f: BuildFigures,
  shape: { hosts: number; containers: number },
  pinned: boolean,
): [string, string][] {
  const ms = (value: number) => `${value.toFixed(0)} ms`;
  const p = (values: number[], at: number) => (values.length ? ms(percentile(values, at)) : '—');
  const max = (values: number[]) => (values.length ? ms(Math.max(...values)) : '—');
  const mib = (kib: number) => `${(kib / 1024).toFixed(0)} MiB`;
  const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB/s`;
  const open = (o: OpenPageCost) =>
    `${o.busyPercent.toFixed(1)} % busy, ${o.longTasks} long tasks (longest ${ms(o.longestTaskMs)}), ${kib(o.wireBytesPerSecond)} on the wire (${kib(o.eventBytesPerSecond)} subscription payload)`;
  const ready = f.hostsLoads.map((l) => l.ready);
  return [
    [
      'fleet',
      `${shape.hosts} simulated hosts × ${shape.containers} containers + the real local agent; registered and online in ${f.registerS.toFixed(0)} s${pinned ? '; the web server on CPU 0 alone, everything else on CPU 1 (FLEET_PIN_CPUS=1)' : ''}`,
    ],
    [`/hosts → every row online with CPU, p50 / max of ${LOADS}`, `${p(ready, 50)} / ${max(ready)}`],
    [
      '… FCP / stream opened / first message / all rows in DOM (medians)',
      [
        f.hostsLoads.map((l) => l.fcp),
        f.hostsLoads.map((l) => l.streamOpened),
        f.hostsLoads.map((l) => l.firstMessage),
        f.hostsLoads.map((l) => l.allRows),
      ]
        .map((values) => p(values, 50))
        .join(' / '),
    ],
    [
      `a host's page → its ${shape.containers} containers and engine info shown, p50 / max of ${LOADS}`,
      `${p(f.hostPage, 50)} / ${max(f.hostPage)}`,
    ],
    [
      `/containers fleet-wide → all ${shape.hosts * shape.containers} rows counted with CPU on screen (the server's HTML), p50 / max of ${LOADS}; → live (its subscription's first message), p50 / max`,
      `${p(
        f.containersLoads.map((l) => l.ready),
        50,
      )} / ${max(f.containersLoads.map((l) => l.ready))}; ${p(
        f.containersLoads.map((l) => Math.max(l.ready, l.firstMessage)),
        50,
      )} / ${max(f.containersLoads.map((l) => Math.max(l.ready, l.firstMessage)))}`,
    ],
    [
      '… the first of them, with the list cold (nobody had watched it since the idle window): shown / live',
      f.containersCold
        ? `${ms(f.containersCold.ready)} / ${ms(Math.max(f.containersCold.ready, f.containersCold.firstMessage))}`
        : '—',
    ],
    [
      `web server, nobody watching (${IDLE_WINDOW_MS / 1000} s): CPU, RSS median / max`,
      `${f.idle.cpuPercent.toFixed(1)} % of a core, ${mib(f.idle.rssMedianKiB)} / ${mib(f.idle.rssMaxKiB)}`,
    ],
    [
      `web server, three browsers on /hosts + /containers (${IDLE_WINDOW_MS / 1000} s): CPU, RSS median / max`,
      `${f.watched.cpuPercent.toFixed(1)} % of a core, ${mib(f.watched.rssMedianKiB)} / ${mib(f.watched.rssMaxKiB)}`,
    ],
    [`/hosts open (${OPEN_WINDOW_MS / 1000} s): browser main thread, bytes/s`, open(f.hostsOpen)],
    [`/containers open (${OPEN_WINDOW_MS / 1000} s): browser main thread, bytes/s`, open(f.containersOpen)],
    [
      `agent event → its row in /events with the three browsers open, p50 / p95 / max (${f.events.length} events, ${f.eventsLost} lost)`,
      `${p(f.events, 50)} / ${p(f.events, 95)} / ${max(f.events)}`,
    ],
    [
      'GET /api/health every 50 ms, p50 / p99 — nobody watching / during page loads / three browsers open',
      [f.healthIdle, Object.values(f.healthDuringLoads).flat(), f.healthWatched]
        .map((v) => `${p(v, 50)}, ${p(v, 99)}`)
        .join(' / '),
    ],
    [
      '… during page loads by page, p99 / max (samples) — /hosts / a host page / /containers',
      Object.values(f.healthDuringLoads)
        .map((v) => `${p(v, 99)} / ${max(v)} (${v.length})`)
        .join(' — '),
    ],
    [
      '… a do-nothing server in its own process, probed the same way at the same time (the machine’s floor): p99 during page loads (by page, p99 / max) / three browsers open',
      `${p(Object.values(f.floorDuringLoads).flat(), 99)} (${Object.values(f.floorDuringLoads)
        .map((v) => `${p(v, 99)} / ${max(v)}`)
        .join(' — ')}) / ${p(f.floorWatched, 99)}`,
    ],
  ];
}
