import type { Role, SessionUser } from '@stevedore/shared';
import { isStevedoreError, trpcCodeFor } from '@stevedore/shared';
import { initTRPC, TRPCError } from '@trpc/server';
import { ZodError, z } from 'zod';
import type { Services } from '../services/index';
import { malformedTextPath } from './well-formed-text';

/** Per-request context: who is calling, from where, and the services they may use. */
export interface Context {
  services: Services;
  user: SessionUser | null;
  sessionTokenHash: string | null;
  clientIp: string;
  userAgent: string | null;
  secureCookies: boolean;
  /** Adds a Set-Cookie header to the response (login and logout). */
  setCookie(cookie: string): void;
}

const t = initTRPC.context<Context>().create({
  errorFormatter({ shape, error }) {
    const cause = error.cause;
    const message =
      cause instanceof ZodError
        ? cause.issues.map((issue) => `${issue.path.join('.') || 'input'}: ${issue.message}`).join('; ')
        : shape.message;
    return {
      ...shape,
      message,
      data: { ...shape.data, stack: undefined, stevedoreCode: isStevedoreError(cause) ? cause.code : null },
    };
  },
});

/** Turns domain errors into tRPC errors at the edge, keeping their message. */
const mapDomainErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok && isStevedoreError(result.error.cause)) {
    const cause = result.error.cause;
    throw new TRPCError({ code: trpcCodeFor[cause.code], message: cause.message, cause });
  }
  return result;
});

/** Text that is not well-formed Unicode is refused before any procedure sees it. */
const refuseMalformedText = t.middleware(async ({ getRawInput, next }) => {
  const path = malformedTextPath(await getRawInput());
  if (path)
    throw new TRPCError({
      code: 'BAD_REQUEST',
      message: `${path}: not valid Unicode text (a lone surrogate); send UTF-8 text`,
    });
  return next();
});

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;
export const publicProcedure = t.procedure.use(refuseMalformedText).use(mapDomainErrors);

export const protectedProcedure = publicProcedure.use(({ ctx, next }) => {
  if (!ctx.user || !ctx.sessionTokenHash) {
    throw new TRPCError({ code: 'UNAUTHORIZED', message: 'log in first' });
  }
  return next({ ctx: { ...ctx, user: ctx.user, sessionTokenHash: ctx.sessionTokenHash } });
});

const rank: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };

/** A procedure for users whose role is at least `minimum` (viewer < operator < admin). */
export const roleProcedure = (minimum: Role) =>
  protectedProcedure.use(({ ctx, next }) => {
    if (rank[ctx.user.role] < rank[minimum]) {
      throw new TRPCError({
        code: 'FORBIDDEN',
        message: `this needs the ${minimum} role; you are ${ctx.user.role}`,
      });
    }
    return next();
  });

/**
 * A procedure that operates on one host (`input.hostId`): admins anywhere, operators only on the
 * hosts granted to them, viewers never.
 */
export const hostOperatorProcedure = roleProcedure('operator')
  .input(z.object({ hostId: z.string().min(1).max(64) }))
  .use(async ({ ctx, input, next }) => {
    if (!(await ctx.services.users.canOperate(ctx.user, input.hostId))) {
      throw new TRPCError({
        code: 'FORBIDDEN',
        message: `you may not operate host ${input.hostId}: an admin has to grant it to you`,
      });
    }
    return next();
  });
