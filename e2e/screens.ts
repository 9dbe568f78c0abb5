import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Page } from '@playwright/test';

/** Where every e2e run leaves its screenshots; `scripts/screenshots.mjs` copies the main ones to docs/. */
export const SCREENS_DIR = resolve(import.meta.dirname, '../test-results/screens');

/**
 * Saves the current screen three ways: light and dark at the page's viewport, and light at 390 px
 * wide (a phone). The page is left as it was found (theme and viewport restored).
 */
export async function saveScreens(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENS_DIR, { recursive: true });
  const viewport = page.viewportSize() ?? { width: 1280, height: 720 };
  // Strings, not functions: the e2e project is type-checked without the DOM library.
  const wasDark = await page.evaluate<boolean>("document.documentElement.classList.contains('dark')");
  const setDark = (dark: boolean) =>
    page.evaluate(`document.documentElement.classList.toggle('dark', ${dark})`);
  try {
    await setDark(false);
    await page.screenshot({ path: join(SCREENS_DIR, `${name}-light.png`), fullPage: true });
    await setDark(true);
    await page.screenshot({ path: join(SCREENS_DIR, `${name}-dark.png`), fullPage: true });
    await setDark(false);
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: join(SCREENS_DIR, `${name}-narrow.png`), fullPage: true });
  } finally {
    await page.setViewportSize(viewport);
    await setDark(wasDark);
  }
}
