import { authRouter } from './routers/auth';
import { hostsRouter } from './routers/hosts';
import { createCallerFactory, router } from './trpc';

export const appRouter = router({
  auth: authRouter,
  hosts: hostsRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
