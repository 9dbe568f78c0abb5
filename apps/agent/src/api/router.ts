import { systemRouter } from './routers/system.js';
import { tokensRouter } from './routers/tokens.js';
import { router } from './trpc.js';

export type { AgentErrorData, Transport } from './trpc.js';

export const agentRouter = router({
  system: systemRouter,
  tokens: tokensRouter,
});

export type AgentRouter = typeof agentRouter;
