import { test as base } from '@playwright/test';
import { type AgentProcess, startAgent } from '../apps/agent/test/harness/agent-process';
import { startWebServer, type WebServer } from './harness/web-server';

export interface Stack {
  agent: AgentProcess;
  web: WebServer;
}

/**
 * One real agent and one real dashboard per test file (worker): the dashboard registers the agent
 * as host `local`, exactly as `npm start` does. Both are stopped and their files removed afterwards.
 */
export const test = base.extend<{ stack: Stack }, { workerStack: Stack }>({
  workerStack: [
    // biome-ignore lint/correctness/noEmptyPattern: Playwright fixtures take their dependencies by destructuring
    async ({}, use) => {
      const agent = await startAgent();
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
