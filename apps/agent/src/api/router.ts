import { configRouter } from './routers/config.js';
import { containersRouter } from './routers/containers.js';
import { eventsRouter } from './routers/events.js';
import { imagesRouter } from './routers/images.js';
import { networksRouter } from './routers/networks.js';
import { registriesRouter } from './routers/registries.js';
import { systemRouter } from './routers/system.js';
import { tokensRouter } from './routers/tokens.js';
import { usageRouter } from './routers/usage.js';
import { volumesRouter } from './routers/volumes.js';
import { router } from './trpc.js';

export type { AgentErrorData, Transport } from './trpc.js';

export const agentRouter = router({
  system: systemRouter,
  images: imagesRouter,
  tokens: tokensRouter,
  containers: containersRouter,
  volumes: volumesRouter,
  networks: networksRouter,
  events: eventsRouter,
  config: configRouter,
  registries: registriesRouter,
  usage: usageRouter,
});

export type AgentRouter = typeof agentRouter;
