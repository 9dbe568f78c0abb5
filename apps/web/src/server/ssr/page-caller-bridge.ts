import type { createCaller } from '../api/root';

/** The API as a server-rendered page may call it: the same procedures, with the requester's session. */
export type PageCaller = ReturnType<typeof createCaller>;
/** Builds a caller for one page request from its Cookie header (no session: every procedure refuses as over HTTP). */
export type PageCallerFactory = (cookieHeader: string | undefined) => Promise<PageCaller>;

// Next bundles the pages apart from the custom server (dist/server.js), so a module-level variable
// would exist twice; the process's global object is the one place both bundles share.
const KEY = Symbol.for('stevedore.pageCallerFactory');
type Holder = { [KEY]?: PageCallerFactory };

/** Called once by the custom server at start (main.ts). */
export function publishPageCaller(factory: PageCallerFactory): void {
  (globalThis as Holder)[KEY] = factory;
}

/** The factory the custom server published, or null when pages run without it (then pages fetch in the browser). */
export function publishedPageCaller(): PageCallerFactory | null {
  return (globalThis as Holder)[KEY] ?? null;
}
