#!/usr/bin/env node
// `npm run bench [-- NAME...]`: measured, not asserted. Benchmarks:
//   agent   agent start-up time, idle memory, system.info latency, `stevedore info` wall time
//   pull    `stevedore pull` of a ~300 MB image of many small files from a local registry, against
//           the floor of fetching and unpacking the same layers with curl | tar in parallel
//   extract one ~50 MB layer of many small files unpacked by the agent's confined extractor,
//           in-process: wall time and CPU (user, system), against GNU tar unpacking the same tar
//   run     `stevedore run --rm IMAGE true` wall time (CLI and API), the bare `runc run` floor,
//           host memory per running container, and the stats sampler's CPU for 100 containers
//   usage   a container's usage history: disk, writer CPU and memory per container for 7 days of
//           synthetic 1 s history through the real writer, query latency per range, and the agent's
//           CPU with 10 idle containers (BENCH_BASELINE_AGENT=path compares another build)
//   web     the dashboard in Chromium: agent event → row in an open /events page (p50/p95/max), and
//           /hosts with 50 simulated hosts × 200 containers (load time, server CPU/RSS, main thread);
//           needs `npm run build` (scripts/bench/web.ts, scripts/bench/fleet-sim.ts)
//   containers  /containers in Chromium: click → row state against a real agent (p50/p95), and the
//           list with 100 simulated hosts × 50 containers and live stats (load, server CPU, main
//           thread); needs `npm run build` (scripts/bench/web/containers-list.ts)
//   limits  a live `update` of a container's memory limit → the new value in its cgroup file (API,
//           CLI, clearing, the read-back query) against bare `runc update`
//   limits-click  the Limits tab in Chromium: click Apply → the new memory limit in the container's
//           cgroup file and → "Applied — read from the kernel" (real agent; needs `npm run build`;
//           scripts/bench/web/limits-click.ts)
//   presets a preset applied to 500 containers on 10 simulated agents through the built dashboard's
//           API: preview, then rollout until the per-container report is complete (needs `npm run build`;
//           scripts/bench/web/presets.ts)
//   mirrors "the mirror for docker.io is URL" rolled out to 20 simulated agents through the built
//           dashboard's API: preview, then rollout until every host's result (scripts/bench/web/mirrors.ts)
//   logs    the Logs tab on a container with 1,000,000 lines: first screen, search to the far match,
//           tab memory (scripts/bench/logs.ts; needs `npm run build`)
//   page-floor  where a cold dashboard page's load goes (document, scripts, websocket, first
//           answer) for a page with no data, the fleet page and the host page: the floor under the
//           first-screen targets (scripts/bench/page-floor.ts; needs `npm run build`)
//   health  agent CPU with 10 idle containers: no healthcheck, probing every 30 s, every 1 s (per probe)
//   recommend  limits recommendations replayed against synthetic workloads (steady, bursty, leaking,
//           CPU-bound): killed / throttled, and the proposal against the true peak (scripts/bench/recommend.ts)
//   logrotate  lines/s a full-speed writer gets into its log files with max-size=64k and with
//           rotation off, lines lost, agent CPU (scripts/bench/engine/logrotate.mjs;
//           BENCH_BASELINE_AGENT=path measures another build too)
//   pull-progress  a pull followed in the Images tab's dialog: bar updates a second per layer (paced
//           registry), and pull time watched in the browser against `stevedore pull -q` (needs
//           `npm run build`; scripts/bench/web/pull-progress.ts)
//   log-format  what Docker's json-file on disk would cost: a k8s-file → json-file converter's
//           lines/s, CPU per line and disk (scripts/bench/engine/log-format.mjs; docs/LOGS.md)
//   fleet   issue 22's targets with 500 simulated hosts × 50 containers (FLEET_HOSTS, FLEET_CONTAINERS,
//           FLEET_EVENTS_PER_S): /hosts, a host's page, /containers, server CPU/RSS idle and watched,
//           main thread, bytes/s, event → row, /api/health (BENCH_BASELINE_WEB=dir compares builds;
//           needs `npm run build`; scripts/bench/web/fleet.ts)
//   fleet-profile  the web server's CPU profile (node --cpu-prof) with the fleet connected and nobody
//           watching (FLEET_PROFILE_WATCHERS browsers on the fleet pages, FLEET_PROFILE_CHURN rounds
//           of pages opened and closed first), summed by function (scripts/bench/web/fleet-profile.ts);
//           `fleet` with FLEET_CPU_PROF_DIR=dir profiles its server and prints its three browsers' window
//   takeover  two web processes on PostgreSQL, FLEET_HOSTS simulated hosts (50): kill -9 the one
//           following half; kill → all followed and online (3 runs), events lost, /api/health p99
//           on the survivor (scripts/bench/web/takeover.ts)
// Results go to stdout as a table; copy them into BENCHMARKS.md with the command that produced them.
import { benchAgent } from './bench/engine/agent.mjs';
import { table } from './bench/engine/common.mjs';
import { benchExtract } from './bench/engine/extract.mjs';
import { benchHealth } from './bench/engine/health.mjs';
import { benchLimits } from './bench/engine/limits.mjs';
import { benchLogFormat } from './bench/engine/log-format.mjs';
import { benchLogrotate } from './bench/engine/logrotate.mjs';
import { benchPull } from './bench/engine/pull.mjs';
import { benchRun } from './bench/engine/run.mjs';
import { benchUsage } from './bench/engine/usage.mjs';

const benchmarks = {
  agent: benchAgent,
  pull: benchPull,
  extract: benchExtract,
  run: benchRun,
  usage: benchUsage,
  limits: benchLimits,
  health: benchHealth,
  web: async () => (await import('./bench/web.ts')).benchWeb(table),
  containers: async () => (await import('./bench/web/containers-list.ts')).benchContainers(table),
  logs: async () => (await import('./bench/logs.ts')).benchLogs(table),
  'page-floor': async () => (await import('./bench/page-floor.ts')).benchPageFloor(table),
  recommend: async () => (await import('./bench/recommend.ts')).benchRecommend(table),
  presets: async () => (await import('./bench/web/presets.ts')).benchPresets(table),
  mirrors: async () => (await import('./bench/web/mirrors.ts')).benchMirrors(table),
  'pull-progress': async () => (await import('./bench/web/pull-progress.ts')).benchPullProgress(table),
  'limits-click': async () => (await import('./bench/web/limits-click.ts')).benchLimitsClick(table),
  fleet: async () => (await import('./bench/web/fleet.ts')).benchFleet(table),
  'fleet-profile': async () => (await import('./bench/web/fleet-profile.ts')).benchFleetProfile(table),
  takeover: async () => (await import('./bench/web/takeover.ts')).benchTakeover(table),
  logrotate: benchLogrotate,
  'log-format': benchLogFormat,
};
const requested = process.argv.slice(2);
for (const name of requested.length ? requested : Object.keys(benchmarks)) {
  if (!benchmarks[name]) {
    console.error(`unknown benchmark "${name}"; available: ${Object.keys(benchmarks).join(', ')}`);
    process.exit(2);
  }
  await benchmarks[name]();
}
