import { after, before } from 'node:test';
import { type AgentProcess, startAgent } from './agent-process.js';
import { agentCli } from './cli-process.js';
import { startRegistry, type TestRegistry } from './registry.js';
import { type PushedImage, pushBusybox } from './test-images.js';

/**
 * For a `describe`: its own agent with busybox pulled from its own registry, made before the tests
 * and removed (every container, with its anonymous volumes, first) after them, and the CLI against that agent.
 */
export function busyboxAgentSuite({ timeoutMs = 60_000 }: { timeoutMs?: number } = {}) {
  const suite = {} as { registry: TestRegistry; agent: AgentProcess; busybox: PushedImage };
  const cli = agentCli(() => suite.agent.host, { timeoutMs });
  before(async () => {
    suite.registry = await startRegistry();
    suite.busybox = await pushBusybox(suite.registry);
    suite.agent = await startAgent();
    await cli.ok('pull', '-q', suite.busybox.reference);
  });
  after(async () => {
    if (suite.agent) {
      const ids = (await cli.cli('ps', '-aq')).stdout.split('\n').filter(Boolean);
      if (ids.length > 0) await cli.cli('rm', '-f', '-v', ...ids);
      await suite.agent.stop();
    }
    await suite.registry?.stop();
  });
  return { suite, ...cli };
}
