import { randomBytes } from 'node:crypto';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createDatabase, createOperatorRepository } from '@tidewater/db';
import { launchBrowser, screenshot } from './browser';
import { api, baseUrl, closePage, expectAccessible, openPage, signIn } from './session';

let browser: Browser;

beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

describe('sign-in', () => {
  it('sends an unauthenticated page to the sign-in page and back after signing in', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    await page.goto(`${baseUrl()}/system`);
    await page.waitForURL((url) => url.pathname === '/sign-in');
    expect(new URL(page.url()).searchParams.get('next')).toBe('/system');
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await expectAccessible(page, 'the sign-in page');
    await screenshot(page, 'sign-in', '01-redirected');

    await page.getByLabel('User name').fill('admin');
    await page.getByLabel('Password').fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page
      .getByRole('alert')
      .getByText('The user name or the password is not right.')
      .waitFor();
    await screenshot(page, 'sign-in', '02-wrong-password');

    await page.getByLabel('Password').fill(inject('adminPassword'));
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((url) => url.pathname === '/system');
    await expect.poll(() => page.getByTestId('operator-name').textContent()).toBe('admin');
    await screenshot(page, 'sign-in', '03-signed-in');

    const cookies = await context.cookies();
    const session = cookies.find((cookie) => cookie.name === 'tidewater_session');
    expect(session?.httpOnly).toBe(true);
    expect(session?.sameSite).toBe('Lax');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL((url) => url.pathname === '/sign-in');
    await page.goto(`${baseUrl()}/tasks`);
    await page.waitForURL((url) => url.pathname === '/sign-in');
    await context.close();
  });

  it('answers 401 to API calls without a session or token, and to a wrong token', async () => {
    const anonymous = await fetch(`${baseUrl()}/api/tasks`);
    expect(anonymous.status).toBe(401);
    const body = (await anonymous.json()) as { error: { code: string; remedy: string } };
    expect(body.error.code).toBe('UNAUTHENTICATED');
    expect(body.error.remedy).toMatch(/sign in/i);

    const wrongToken = await fetch(`${baseUrl()}/api/tasks`, {
      headers: { authorization: 'Bearer tw_not-a-real-token' },
    });
    expect(wrongToken.status).toBe(401);

    const forged = await fetch(`${baseUrl()}/api/tasks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: 'tidewater_session=forged' },
      body: '{}',
    });
    expect(forged.status).toBe(401);

    const withToken = await api('/api/auth/session');
    expect(withToken.status).toBe(200);
    expect(withToken.body).toMatchObject({ operator: { username: 'admin' }, via: 'token' });
  });

  it('refuses a cookie-authenticated change from another origin (CSRF)', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await signIn(page, '/tasks');
    const cookie = (await context.cookies()).find((item) => item.name === 'tidewater_session');
    expect(cookie).toBeDefined();
    const headers = {
      'content-type': 'application/json',
      cookie: `tidewater_session=${cookie?.value}`,
    };
    const crossSite = await fetch(`${baseUrl()}/api/auth/tokens`, {
      method: 'POST',
      headers: { ...headers, origin: 'https://evil.example' },
      body: JSON.stringify({ name: 'stolen' }),
    });
    expect(crossSite.status).toBe(403);
    expect(((await crossSite.json()) as { error: { code: string } }).error.code).toBe(
      'CSRF_REJECTED',
    );
    const sameSite = await fetch(`${baseUrl()}/api/auth/tokens`, {
      method: 'POST',
      headers: { ...headers, origin: baseUrl() },
      body: JSON.stringify({ name: 'same origin' }),
    });
    expect(sameSite.status).toBe(201);
    const reads = await fetch(`${baseUrl()}/api/auth/session`, { headers });
    expect(reads.status).toBe(200);
    await context.close();
  });

  it('locks a user name out from an address after repeated wrong passwords', async () => {
    const attempt = (password: string) =>
      fetch(`${baseUrl()}/api/auth/sign-in`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: baseUrl() },
        body: JSON.stringify({ username: 'locked-out-user', password }),
      });
    const statuses: number[] = [];
    for (let index = 0; index < 6; index += 1) statuses.push((await attempt('guess')).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
    const limited = await attempt('guess');
    expect(limited.headers.get('retry-after')).toMatch(/^\d+$/);
    const body = (await limited.json()) as { error: { code: string; remedy: string } };
    expect(body.error.code).toBe('SIGN_IN_RATE_LIMITED');
    expect(body.error.remedy).toMatch(/Wait \d+ minute/);
  });

  it('lets an operator create an API token (shown once), revoke it, and change the password', async () => {
    // An operator of its own: a password change revokes the operator's API tokens, and the
    // other tests call the API with admin's.
    const operator = {
      username: `account-${randomBytes(3).toString('hex')}`,
      password: 'account-test-password',
    };
    const db = createDatabase(inject('databaseUrl'));
    try {
      await createOperatorRepository(db).createOperator(operator.username, operator.password);
    } finally {
      await db.$disconnect();
    }
    const page = await openPage(browser, { width: 1280, height: 800 });
    await signIn(page, '/account', operator);
    await page.getByRole('heading', { name: 'Account' }).waitFor();
    await page.getByLabel('Token name').fill('browser test');
    await page.getByRole('button', { name: 'Create token' }).click();
    const token = await page.getByTestId('new-api-token').textContent();
    expect(token).toMatch(/^tw_/);
    const tokenRow = page.getByRole('row').filter({ hasText: 'browser test' });
    await screenshot(page, 'account', '01-token-created');
    await tokenRow.waitFor();
    const usingIt = await fetch(`${baseUrl()}/api/tasks`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(usingIt.status).toBe(200);

    await page.getByLabel('Current password').fill('wrong-current-password');
    await page.getByLabel('New password', { exact: true }).fill('a-new-password-123');
    await page.getByLabel('Repeat the new password').fill('a-new-password-123');
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByText('The current password is not right.').waitFor();
    await screenshot(page, 'account', '02-wrong-current-password');
    await expectAccessible(page, 'the Account page');

    // A second token, revoked by hand; the first goes with the password change.
    await page.getByLabel('Token name').fill('short-lived');
    await page.getByLabel('Expires after').selectOption('7');
    await page.getByRole('button', { name: 'Create token' }).click();
    const shortLived = page.getByRole('row').filter({ hasText: 'short-lived' });
    await shortLived.waitFor();
    await shortLived.getByRole('button', { name: /Revoke/ }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Revoke' }).click();
    await shortLived.waitFor({ state: 'detached' });

    await page.getByLabel('Current password').fill(operator.password);
    await page.getByLabel('New password', { exact: true }).fill('a-new-password-123');
    await page.getByLabel('Repeat the new password').fill('a-new-password-123');
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByText('Password changed.').waitFor();
    await page.getByText('Revoked the API token “browser test”').waitFor();
    await tokenRow.waitFor({ state: 'detached' });
    await screenshot(page, 'account', '03-password-changed');
    const oldPassword = await fetch(`${baseUrl()}/api/auth/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: baseUrl() },
      body: JSON.stringify(operator),
    });
    expect(oldPassword.status).toBe(401);
    const revoked = await fetch(`${baseUrl()}/api/tasks`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(revoked.status).toBe(401);
    await closePage(page);
  });
});
