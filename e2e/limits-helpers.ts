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
 * The limits specs' container: busybox from a local registry, pulled onto the agent, run as `name`
 * with 64 MiB of memory and half a CPU, no network, looping. `beforeRun` runs between the pull and
 * the run. Stop it with `removeLimitedContainer`, which also stops the registry.
 */
export async function startLimitedContainer(
  host: string,
  name: string,
  beforeRun?: () => Promise<void>,
): Promise<TestRegistry> {
  const registry = await startRegistry();
  try {
    const image = (await pushBusybox(registry)).reference;
    await cli(host, 'pull', '-q', image);
    await beforeRun?.();
    await cli(
      host,
      'run',
      '-d',
      '--name',
      name,
      '--network',
      'none',
      '-m',
      '64m',
      '--cpus',
      '0.5',
      image,
      'sh',
      '-c',
      'while :; do sleep 1; done',
    );
    return registry;
  } catch (error) {
    await registry.stop();
    throw error;
  }
}

export async function removeLimitedContainer(
  host: string,
  name: string,
  registry: TestRegistry | undefined,
): Promise<void> {
  await runCli(['-H', host, 'rm', '-f', name]);
  await registry?.stop();
}
