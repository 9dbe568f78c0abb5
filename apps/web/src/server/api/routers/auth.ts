import { CreateFirstAdminInput, LoginInput } from '@stevedore/shared';
import { clearedSessionCookie, SESSION_TTL_MS, sessionCookie } from '../../auth/session-token';
import type { Context } from '../trpc';
import { protectedProcedure, publicProcedure, router } from '../trpc';

const meta = (ctx: Context) => ({ ip: ctx.clientIp, userAgent: ctx.userAgent });

export const authRouter = router({
  /** Who is logged in, and whether the first admin still has to be created. */
  status: publicProcedure.query(async ({ ctx }) => ({
    needsSetup: await ctx.services.auth.needsSetup(),
    user: ctx.user,
  })),

  setup: publicProcedure.input(CreateFirstAdminInput).mutation(async ({ ctx, input }) => {
    const { token, user } = await ctx.services.auth.setup(input, meta(ctx));
    ctx.setCookie(sessionCookie(token, { secure: ctx.secureCookies, maxAgeMs: SESSION_TTL_MS }));
    return user;
  }),

  login: publicProcedure.input(LoginInput).mutation(async ({ ctx, input }) => {
    const { token, user } = await ctx.services.auth.login(input, meta(ctx));
    ctx.setCookie(sessionCookie(token, { secure: ctx.secureCookies, maxAgeMs: SESSION_TTL_MS }));
    return user;
  }),

  logout: protectedProcedure.mutation(async ({ ctx }) => {
    await ctx.services.auth.logout(ctx.user, ctx.sessionTokenHash);
    ctx.setCookie(clearedSessionCookie(ctx.secureCookies));
    return { ok: true };
  }),
});
