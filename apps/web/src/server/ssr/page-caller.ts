import { headers } from 'next/headers';
import { type PageCaller, publishedPageCaller } from './page-caller-bridge';

/**
 * The API for a server component, as the requesting user: their session cookie, the procedures'
 * own role checks. Null when the custom server did not publish one (the page then fetches in the
 * browser, as without server rendering).
 */
export async function pageCaller(): Promise<PageCaller | null> {
  // Read first: it makes the page render per request (else a page without params is prerendered
  // at build time, where no custom server publishes a caller, and would never have its data).
  const cookie = (await headers()).get('cookie') ?? undefined;
  const factory = publishedPageCaller();
  if (!factory) return null;
  return factory(cookie);
}
