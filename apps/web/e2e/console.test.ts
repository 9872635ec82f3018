import { existsSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, screenshot } from './browser';
import { api, closePage, expectAccessible, openPage, signIn } from './session';

let browser: Browser;

beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

describe('console', () => {
  it('lists a new task and shows its precheck status change without a reload', async () => {
    const page = await openPage(browser, { width: 1280, height: 800 });
    await signIn(page, '/tasks');
    await page.getByRole('heading', { name: 'Data Migration' }).waitFor();
    await screenshot(page, 'task-list', '01-opened');
    await expectAccessible(page, 'the task list');

    const name = `browser-${Date.now()}`;
    const created = await api<{ task: { id: string } }>('/api/tasks', {
      method: 'POST',
      body: {
        name,
        source: { type: 'mariadb', host: '127.0.0.1', port: 3307, user: 'root', password: '' },
        destination: { hosts: '127.0.0.1', port: 9092, topic: 'tidewater-skeleton' },
        objects: [{ kind: 'database', database: 'demo_shop' }],
      },
    });
    expect(created.status).toBe(201);

    const row = page.getByRole('row').filter({ hasText: name });
    await row.waitFor({ timeout: 15_000 });
    await row.locator('[data-status="created"]').waitFor();
    await screenshot(page, 'task-list', '02-task-listed');
    const precheck = await api(`/api/tasks/${created.body.task.id}/precheck`, { method: 'POST' });
    expect(precheck.status).toBe(202);
    await row
      .locator('[data-status="precheck_passed"], [data-status="precheck_failed"]')
      .waitFor({ timeout: 60_000 });
    const file = await screenshot(page, 'task-list', '03-precheck-finished');
    expect(existsSync(file)).toBe(true);
    await closePage(page);
  });

  it('shows every service on the System page, probed live', async () => {
    const page = await openPage(browser, { width: 1920, height: 1080 });
    await signIn(page, '/system');
    for (const service of ['postgresql', 'redis', 'kafka', 'schema-registry', 'worker']) {
      await page
        .locator(`tr[data-service="${service}"] [data-up="true"]`)
        .waitFor({ timeout: 30_000 });
    }
    await screenshot(page, 'system', '01-services');
    await expectAccessible(page, 'the System page');
    await closePage(page);
  });
});
