import { test as base } from '@playwright/test';
import {
  type AgentProcess,
  type StartAgentOptions,
  startAgent,
} from '../apps/agent/test/harness/agent-process';
import { startWebServer, type WebServer } from './harness/web-server';

export interface Stack {
  agent: AgentProcess;
  web: WebServer;
}

/**
 * One real agent and one real dashboard per test file (worker): the dashboard registers the agent
 * as host `local`, exactly as `npm start` does. Both are stopped and their files removed afterwards.
 */
export const test = base.extend<
  { stack: Stack },
  { workerStack: Stack; stackName: string; agentOptions: StartAgentOptions }
>({
  /**
   * Files that need a stack of their own (a first run with no admin yet) set a name with
   * `test.use({ stackName })`: Playwright runs different worker options in different workers.
   */
  stackName: ['shared', { scope: 'worker', option: true }],
  /** How the stack's agent starts (a file with its own stackName may change it). */
  agentOptions: [{}, { scope: 'worker', option: true }],
  workerStack: [
    // Depends on the name only so that a file's `stackName` is part of its worker's identity.
    async ({ stackName: _stackName, agentOptions }, use) => {
      const agent = await startAgent(agentOptions);
      let web: WebServer | undefined;
      try {
        web = await startWebServer({ localAgentSocket: agent.socketPath });
        await use({ agent, web });
      } finally {
        await web?.stop();
        await agent.stop();
      }
    },
    { scope: 'worker' },
  ],
  stack: async ({ workerStack }, use) => use(workerStack),
  baseURL: async ({ workerStack }, use) => use(workerStack.web.baseURL),
});

export { expect } from '@playwright/test';

export const ADMIN = { username: 'admin', password: 'correct horse battery staple' };
