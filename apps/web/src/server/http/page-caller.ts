import { createCaller } from '../api/root';
import type { Context } from '../api/trpc';
import { readSessionCookie } from '../auth/session-token';
import type { Services } from '../services/index';
import type { PageCallerFactory } from '../ssr/page-caller-bridge';

/**
 * Server-rendered pages call the API through this: the same router, middlewares and role checks
 * as /api/trpc, with the session taken from the page request's cookie. Pages only read with it
 * (a page render cannot set cookies, and has no client address for the audit log).
 */
export function pageCallerFactory(services: Services): PageCallerFactory {
  return async (cookieHeader) => {
    const token = readSessionCookie(cookieHeader);
    const session = token ? await services.auth.resolve(token) : null;
    const context: Context = {
      services,
      user: session?.user ?? null,
      sessionTokenHash: session?.tokenHash ?? null,
      clientIp: 'page render',
      userAgent: null,
      secureCookies: true,
      setCookie() {
        throw new Error('a server-rendered page cannot set cookies: call this procedure from the browser');
      },
    };
    return createCaller(context);
  };
}
