import AxeBuilder from '@axe-core/playwright';
import type { Browser, Page } from 'playwright-core';
import { expect, inject } from 'vitest';

/** Signing in and calling the API as the tests' operator, and the accessibility check. */

export const baseUrl = () => inject('baseUrl');

/** Headers for fetch() calls to the API: admin's API token. */
export function authHeaders(extra: Record<string, string> = {}): Record<string, string> {
  return { authorization: `Bearer ${inject('apiToken')}`, ...extra };
}

export async function api<T = Record<string, any>>(
  path: string,
  init: { method?: string; body?: unknown } = {},
): Promise<{ status: number; body: T }> {
  const response = await fetch(`${baseUrl()}${path}`, {
    method: init.method ?? 'GET',
    headers: authHeaders({ 'content-type': 'application/json' }),
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  return { status: response.status, body: (await response.json()) as T };
}

/** Signs the page's browser context in through the sign-in form, as admin unless told. */
export async function signIn(
  page: Page,
  next = '/tasks',
  as: { username: string; password: string } = {
    username: 'admin',
    password: inject('adminPassword'),
  },
): Promise<void> {
  await page.goto(`${baseUrl()}/sign-in?next=${encodeURIComponent(next)}`);
  await page.getByLabel('User name').fill(as.username);
  await page.getByLabel('Password').fill(as.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => url.pathname === next.split('?')[0]);
}

/** axe-core on the page as it is now: no serious or critical violations. */
export async function expectAccessible(page: Page, what: string): Promise<void> {
  const results = await new AxeBuilder({ page }).analyze();
  const blocking = results.violations.filter(
    (violation) => violation.impact === 'serious' || violation.impact === 'critical',
  );
  const summary = blocking.map(
    (violation) =>
      `${violation.id} (${violation.impact}): ${violation.help} — ${violation.nodes
        .slice(0, 3)
        .map((node) => node.target.join(' '))
        .join(', ')}`,
  );
  expect(summary, `accessibility of ${what}`).toEqual([]);
}

/** A page in a fresh browser context (its own cookies); close it with closePage. */
export async function openPage(
  browser: Browser,
  viewport: { width: number; height: number } = { width: 1280, height: 800 },
): Promise<Page> {
  const context = await browser.newContext({ viewport });
  return context.newPage();
}

export async function closePage(page: Page): Promise<void> {
  await page.context().close();
}
