import { ADMIN, expect, test } from './fixtures';
import { logIn } from './helpers';
import { saveScreens } from './screens';

test('at 390 px the main nav is a menu: it opens with focus inside, Esc closes it back to its button, a link navigates and closes it', async ({
  page,
  stack,
}) => {
  await logIn(page, stack.web, ADMIN.username, ADMIN.password);
  const nav = page.getByRole('navigation', { name: 'Main' });
  // Desktop: the links in the bar, no menu button.
  await expect(nav.getByRole('link', { name: 'Containers' })).toBeVisible();
  await expect(page.getByTestId('nav-menu-button')).toBeHidden();

  await page.setViewportSize({ width: 390, height: 844 });
  const button = page.getByTestId('nav-menu-button');
  await expect(button).toBeVisible();
  await expect(button).toHaveAttribute('aria-expanded', 'false');
  await expect(nav.getByRole('link', { name: 'Containers' })).toBeHidden();
  // One row: the header is no taller than the button's row plus its padding.
  const header = await page.locator('header').boundingBox();
  expect(header?.height ?? 0).toBeLessThan(80);

  await button.click();
  await expect(button).toHaveAttribute('aria-expanded', 'true');
  const menu = page.getByTestId('nav-menu');
  await expect(menu).toBeVisible();
  await expect(menu.getByRole('link', { name: 'Hosts' })).toBeFocused();
  await expect(menu.getByRole('link', { name: 'Audit log' })).toBeVisible(); // an admin's entries too
  await saveScreens(page, 'nav-menu');
  await page.keyboard.press('Escape');
  await expect(menu).toBeHidden();
  await expect(button).toHaveAttribute('aria-expanded', 'false');
  await expect(button).toBeFocused();

  // Keyboard: Enter opens it, Tab moves through the links, Enter follows one.
  await page.keyboard.press('Enter');
  await expect(menu.getByRole('link', { name: 'Hosts' })).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(menu.getByRole('link', { name: 'Containers' })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/\/containers$/);
  await expect(menu).toBeHidden();
  await expect(page.getByRole('heading', { name: 'Containers' })).toBeVisible();

  // A click outside closes it as well.
  await button.click();
  await expect(menu).toBeVisible();
  await page.mouse.click(370, 600); // right of the sheet, below the header
  await expect(menu).toBeHidden();
});
