import { join } from 'node:path';
import pino from 'pino';
import { UsageRecorder } from '../../src/runtime/stats/usage-recorder.js';

/**
 * Writes a steady synthetic usage history for a container into an agent's usage rings, through the
 * agent's own writer (so the records are exactly what it would have recorded): one reading a second
 * from `fromSec` to `toSec` (unix seconds), a constant working set and CPU share of 2 CPUs. For tests
 * that need more history than they can wait for; the agent reads it back with `usage.history`.
 */
export function writeUsageHistory(
  dataRoot: string,
  containerId: string,
  options: { fromSec: number; toSec: number; memoryBytes: number; cpuPercent: number },
): void {
  const recorder = new UsageRecorder(join(dataRoot, 'usage'), 2, pino({ level: 'silent' }));
  try {
    for (let second = options.fromSec; second <= options.toSec; second++) {
      const elapsed = second - options.fromSec;
      recorder.record(second * 1000, [
        {
          id: containerId,
          counters: {
            cpuNanos: elapsed * (options.cpuPercent / 100) * 1e9,
            memoryUsage: options.memoryBytes,
            inactiveFile: 0,
            memoryLimit: null,
            blockRead: 0,
            blockWrite: 0,
            pids: 1,
            throttledPeriods: 0,
            throttledNanos: 0,
            periods: 0,
            swapUsage: 0,
          },
          network: { rx: 0, tx: 0 },
          systemCpuNanos: elapsed * 2e9,
        },
      ]);
    }
  } finally {
    recorder.close();
  }
}
