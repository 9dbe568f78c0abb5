import { alertsRouter } from './routers/alerts';
import { auditRouter } from './routers/audit';
import { authRouter } from './routers/auth';
import { containersRouter } from './routers/containers/index';
import { diskRouter } from './routers/disk';
import { eventsRouter } from './routers/events';
import { hostsRouter } from './routers/hosts';
import { imagesRouter } from './routers/images';
import { networksRouter } from './routers/networks';
import { presetsRouter } from './routers/presets';
import { registriesRouter } from './routers/registries';
import { usersRouter } from './routers/users';
import { volumesRouter } from './routers/volumes';
import { createCallerFactory, router } from './trpc';

export const appRouter = router({
  auth: authRouter,
  hosts: hostsRouter,
  containers: containersRouter,
  events: eventsRouter,
  users: usersRouter,
  audit: auditRouter,
  presets: presetsRouter,
  alerts: alertsRouter,
  registries: registriesRouter,
  disk: diskRouter,
  images: imagesRouter,
  networks: networksRouter,
  volumes: volumesRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
