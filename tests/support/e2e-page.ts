// Moving around the desk the way a user does: through the navigation's links.
import type { Page } from '@playwright/test';

export function goToPage(page: Page, name: string): Promise<void> {
  return page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name, exact: true }).click();
}
