/**
 * Simulated hosts for the web benchmarks: serves the agent's real API (its tRPC router and
 * websocket transport, from the built agent) on N unix sockets in this one process, each backed by
 * fake services that return synthetic, schema-valid data for a host with C containers
 * (scripts/bench/fleet-sim/*). Only what the dashboard's fleet overview and event feed call is
 * faked; any other procedure fails (and is logged).
 *
 *   node --import tsx scripts/bench/fleet-sim.ts DIR HOSTS CONTAINERS EVENT_EVERY_MS [UPDATE_MS]
 *
 * Prints one JSON line `{"ready":true,"sockets":[…]}` on stdout once every socket listens; stops on
 * SIGTERM or when its stdin closes (the benchmark that started it is gone). With EVENT_EVERY_MS > 0
 * each host emits a container event (start or die) that often, each host at its own phase.
 * `containers.inspect` and `containers.update` keep each container's HostConfig (for the presets
 * benchmark); an update answers after UPDATE_MS.
 */
import { join } from 'node:path';
import { type ApiServer, startApiServer } from '../../apps/agent/dist/api/server.js';
import { createLogger } from '../../apps/agent/dist/util/logger.js';
import { fakeHost } from './fleet-sim/fake-host';

const [dir, hostsArg = '50', containersArg = '200', eventEveryArg = '0', updateMsArg = '0'] =
  process.argv.slice(2);
if (!dir) {
  console.error('usage: fleet-sim.ts DIR HOSTS CONTAINERS EVENT_EVERY_MS [UPDATE_MS]');
  process.exit(2);
}
const hostCount = Number(hostsArg);
const options = {
  containers: Number(containersArg),
  eventEveryMs: Number(eventEveryArg),
  updateMs: Number(updateMsArg),
};

const log = createLogger('warn');
const servers: ApiServer[] = [];
const hosts: { close(): void }[] = [];
const sockets: string[] = [];
for (let i = 0; i < hostCount; i++) {
  const host = fakeHost(i, options);
  hosts.push(host);
  const socket = join(dir, `sim-${i + 1}.sock`);
  servers.push(
    await startApiServer({
      hosts: [`unix://${socket}`],
      tls: null,
      services: host.services,
      verifyToken: () => null,
      log: log.child({ host: i + 1 }),
    }),
  );
  sockets.push(socket);
}
process.stdout.write(`${JSON.stringify({ ready: true, sockets })}\n`);

const shutdown = async () => {
  for (const host of hosts) host.close();
  await Promise.all(servers.map((server) => server.close()));
  process.exit(0);
};
process.once('SIGTERM', shutdown);
// The benchmark holds our stdin open: when it ends, even by crashing, so do we.
process.stdin.on('close', shutdown).resume();
