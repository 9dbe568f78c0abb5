import { headers } from 'next/headers';
import { cache } from 'react';
import { type PageCaller, publishedPageCaller } from './page-caller-bridge';

/**
 * The API for a server component, as the requesting user: their session cookie, the procedures'
 * own role checks. Null when the custom server did not publish one (the page then fetches in the
 * browser, as without server rendering). One per page request (React's `cache`): a layout and its
 * page's readers share it, so the session is resolved once per render.
 */
export const pageCaller = cache(async (): Promise<PageCaller | null> => {
  // Read first: it makes the page render per request (else a page without params is prerendered
  // at build time, where no custom server publishes a caller, and would never have its data).
  const cookie = (await headers()).get('cookie') ?? undefined;
  const factory = publishedPageCaller();
  if (!factory) return null;
  return factory(cookie);
});
