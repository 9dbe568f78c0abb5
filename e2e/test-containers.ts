import { runCli } from '../apps/agent/test/harness/cli-process';
import { startRegistry, type TestRegistry } from '../apps/agent/test/harness/registry';
import { pushBusybox } from '../apps/agent/test/harness/test-images';
import { expect } from './fixtures';

/** `stevedore -H host ARGS…`, which must succeed; its output, trimmed. */
export async function cli(host: string, ...args: string[]): Promise<string> {
  const result = await runCli(['-H', host, ...args]);
  expect(result.code, `stevedore ${args.join(' ')}: ${result.stderr}`).toBe(0);
  return result.stdout.trim();
}

/**
 * A busybox container for a spec: the image from a local registry (started here), pulled onto the
 * agent, then `stevedore run -d RUN_ARGS… IMAGE COMMAND…`. `beforeRun` runs between the pull and the
 * run. Its id and the registry; remove both with `removeBusybox`.
 */
export async function startBusybox(
  host: string,
  runArgs: readonly string[],
  command: readonly string[],
  beforeRun?: () => Promise<void>,
): Promise<{ id: string; registry: TestRegistry }> {
  const registry = await startRegistry();
  try {
    const image = (await pushBusybox(registry)).reference;
    await cli(host, 'pull', '-q', image);
    await beforeRun?.();
    return { id: await cli(host, 'run', '-d', ...runArgs, image, ...command), registry };
  } catch (error) {
    await registry.stop();
    throw error;
  }
}

/** Removes a container `startBusybox` ran (by id or name) and stops its registry. */
export async function removeBusybox(
  host: string,
  container: string | null | undefined,
  registry: TestRegistry | null | undefined,
): Promise<void> {
  if (container) await runCli(['-H', host, 'rm', '-f', container]);
  await registry?.stop();
}

/**
 * The limits specs' container: busybox run as `name` with 64 MiB of memory and half a CPU, no
 * network, looping (see startBusybox). Stop it with `removeLimitedContainer`.
 */
export async function startLimitedContainer(
  host: string,
  name: string,
  beforeRun?: () => Promise<void>,
): Promise<TestRegistry> {
  const runArgs = ['--name', name, '--network', 'none', '-m', '64m', '--cpus', '0.5'];
  return (await startBusybox(host, runArgs, ['sh', '-c', 'while :; do sleep 1; done'], beforeRun)).registry;
}
