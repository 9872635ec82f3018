import { existsSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchBrowser, screenshot } from './browser';

const baseUrl = () => inject('baseUrl');
let browser: Browser;

beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

describe('console', () => {
  it('lists a new task and shows its status change without a reload', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(`${baseUrl()}/tasks`);
    await page.getByRole('heading', { name: 'Data Migration' }).waitFor();
    await screenshot(page, 'task-list', '01-opened');

    const name = `browser-${Date.now()}`;
    const response = await fetch(`${baseUrl()}/api/tasks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        name,
        source: { type: 'mariadb', host: '127.0.0.1', port: 3307, user: 'root', password: '' },
        destination: { hosts: '127.0.0.1', port: 9092, topic: 'tidewater-skeleton' },
      }),
    });
    expect(response.status).toBe(201);

    const row = page.getByRole('row').filter({ hasText: name });
    await row.waitFor({ timeout: 15_000 });
    await screenshot(page, 'task-list', '02-task-listed');
    await row.locator('[data-status="precheck_passed"]').waitFor({ timeout: 60_000 });
    const file = await screenshot(page, 'task-list', '03-precheck-passed');
    expect(existsSync(file)).toBe(true);
    await page.close();
  });

  it('shows every service on the System page, probed live', async () => {
    const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
    await page.goto(`${baseUrl()}/system`);
    for (const service of ['postgresql', 'redis', 'kafka', 'schema-registry', 'worker']) {
      await page
        .locator(`tr[data-service="${service}"] [data-up="true"]`)
        .waitFor({ timeout: 30_000 });
    }
    await screenshot(page, 'system', '01-services');
    await page.close();
  });
});
