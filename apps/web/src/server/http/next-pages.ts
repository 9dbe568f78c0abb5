import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import next from 'next';
import type { PageHandler } from './server';

/** The Next.js app (apps/web) as a page handler for the custom server. */
export async function createNextPages(options: {
  dev: boolean;
  hostname: string;
  port: number;
}): Promise<PageHandler> {
  // Works from src/server/http (tsx) and from dist/ (bundled): find the app dir by its next.config.
  const here = dirname(fileURLToPath(import.meta.url));
  const dir = here.includes('/src/server/') ? resolve(here, '../../..') : resolve(here, '..');
  const app = next({ dev: options.dev, dir, hostname: options.hostname, port: options.port });
  await app.prepare();
  const handle = app.getRequestHandler();
  const upgrade = options.dev ? app.getUpgradeHandler() : undefined;
  return {
    handle: (req, res) => handle(req, res),
    ...(upgrade ? { upgrade: (req, socket, head) => upgrade(req, socket, head) } : {}),
  };
}
