import { imagesRouter } from './routers/images.js';
import { systemRouter } from './routers/system.js';
import { tokensRouter } from './routers/tokens.js';
import { router } from './trpc.js';

export type { AgentErrorData, Transport } from './trpc.js';

export const agentRouter = router({
  system: systemRouter,
  images: imagesRouter,
  tokens: tokensRouter,
});

export type AgentRouter = typeof agentRouter;
