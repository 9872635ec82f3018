import { randomBytes } from 'node:crypto';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, screenshot } from './browser';
import { waitFor } from './harness';
import { createTopic, foldTopic, uniqueTopic } from './kafka';
import { api, closePage, expectAccessible, openPage, signIn } from './session';
import {
  countRows,
  createEventsDatabase,
  dropDatabase,
  readRows,
  sourceConnection,
} from './source';
import { fillEndpoints, selectObjects, testConnectivityAndProceed } from './wizard-steps';

/**
 * The whole journey as an operator makes it, once per format: sign in; create a task from the
 * local MariaDB (the demo database plus a private table the test writes to) to a new Kafka
 * topic through the four wizard steps; the precheck fails on a real misconfiguration (the topic
 * does not exist yet), which is fixed and rechecked; buy and start; watch the full migration
 * reach 100% in the list; write rows and see them counted with the latency shown; check in
 * Kafka that every row arrived in the chosen format; then pause, resume and release the task
 * from the console.
 */

let browser: Browser;
const databases: string[] = [];

beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  for (const database of databases) await dropDatabase(database);
});

const formats = [
  { format: 'canal-json', label: 'Canal JSON', viewport: { width: 1280, height: 800 } },
  { format: 'dts-avro', label: 'DTS Avro', viewport: { width: 1920, height: 1080 } },
] as const;

describe.each(formats)('the whole journey in $label', ({ format, label, viewport }) => {
  it(
    'migrates the demo database and live changes to Kafka through the wizard alone',
    { timeout: 420_000 },
    async () => {
      const database = await createEventsDatabase(50);
      databases.push(database);
      const topic = uniqueTopic(`tw-e2e-${format}`);
      const name = `journey-${format}-${randomBytes(3).toString('hex')}`;
      const page = await openPage(browser, viewport);
      const shot = (step: string) => screenshot(page, `journey-${format}`, step);

      // Sign in, then step 1: source and destination.
      await signIn(page, '/tasks');
      await page.getByRole('link', { name: 'Create Task' }).first().click();
      await page.getByLabel('Task name').waitFor();
      await fillEndpoints(page, { name, topic });
      await page.getByRole('button', { name: 'Load topics' }).click();
      await page.getByText(`The broker has no topic "${topic}"`).waitFor({ timeout: 30_000 });
      await shot('01-source-and-destination');
      await testConnectivityAndProceed(page);
      await page.waitForURL((url) => url.searchParams.get('step') === '2', { timeout: 60_000 });

      // Step 2: objects and settings.
      await page.getByRole('radio', { name: label }).check();
      await page
        .getByLabel('Policy for shipping data to Kafka partitions')
        .selectOption('hash-primary-key');
      await selectObjects(page, 'demo_shop', 'whole database');
      await selectObjects(page, database, ['events']);
      await page
        .getByRole('region', { name: 'Selected Objects' })
        .locator(`[data-object="${database}.events"]`)
        .waitFor();
      await shot('02-objects-and-settings');
      await page.getByRole('button', { name: 'Next: Save Task Settings and Precheck' }).click();

      // Step 3: the precheck fails on the missing topic; create it, then check again.
      await page.waitForURL((url) => url.searchParams.get('step') === '3');
      const topicItem = page.locator(`[data-precheck-item="destination.topic:${topic}"]`);
      await topicItem
        .and(page.locator('[data-precheck-status="fail"]'))
        .waitFor({ timeout: 90_000 });
      await page.getByText('Precheck finished with failed items').waitFor({ timeout: 60_000 });
      await expect
        .poll(() => topicItem.textContent())
        .toMatch(/does not exist on the destination Kafka/);
      await expect.poll(() => topicItem.textContent()).toMatch(/How to fix:/);
      expect(await page.getByRole('button', { name: 'Next: Purchase Instance' }).isDisabled()).toBe(
        true,
      );
      await shot('03-precheck-failed');
      await expectAccessible(page, 'the precheck step');
      await createTopic(topic, 2);
      await page.getByRole('button', { name: 'Precheck Again' }).click();
      await topicItem
        .and(page.locator('[data-precheck-status="pass"]'))
        .waitFor({ timeout: 90_000 });
      await expect
        .poll(() => page.getByTestId('precheck-success-rate').textContent(), { timeout: 90_000 })
        .toBe('100%');
      await shot('04-precheck-passed');
      await page.getByRole('button', { name: 'Next: Purchase Instance' }).click();

      // Step 4: instance class, terms, Buy and Start.
      await page.locator('[data-instance-class="small"] input').check();
      await page.getByRole('button', { name: 'Buy and Start' }).click();
      await page.getByText('Read and accept the terms to start the task.').waitFor();
      await expectAccessible(page, 'the purchase step');
      await page.getByLabel('I have read and agree to the Tidewater Terms of Service').check();
      await shot('05-purchase');
      await page.getByRole('button', { name: 'Buy and Start' }).click();
      await page.waitForURL((url) => /^\/tasks\/[0-9a-f-]{36}$/.test(url.pathname), {
        timeout: 30_000,
      });
      const taskId = new URL(page.url()).pathname.split('/').at(-1)!;
      // The ticked box reached the API, which recorded who accepted the terms.
      expect((await api(`/api/tasks/${taskId}`)).body.task.termsAcceptance).toMatchObject({
        by: 'admin',
      });
      await page.getByRole('heading', { name: new RegExp(name) }).waitFor();
      await shot('06-details-started');

      // The list: the full migration reaches 100%.
      await page.getByRole('link', { name: 'Data Migration' }).first().click();
      const row = page.locator(`tr[data-task-id="${taskId}"]`);
      await row.locator('[data-percent="100"]').waitFor({ timeout: 120_000 });
      await row.locator('[data-stage-state="full:done"]').waitFor({ timeout: 60_000 });
      await shot('07-list-full-migration-done');
      await expectAccessible(page, 'the task list with a running task');

      // Writes to the source: counted, with the latency shown, while they stream.
      const writer = await sourceConnection(database);
      const writing = (async () => {
        for (let id = 1001; id <= 1200; id += 1) {
          await writer.query('INSERT INTO events (id, qty, note) VALUES (?, ?, ?)', [
            id,
            id % 7,
            `live ${id}`,
          ]);
          if (id % 20 === 0)
            await writer.query('UPDATE events SET qty = qty + 100 WHERE id = ?', [id - 1000]);
          if (id % 50 === 0) await writer.query('DELETE FROM events WHERE id = ?', [id - 1001]);
          await new Promise((resolve) => setTimeout(resolve, 25));
        }
      })();
      await waitFor(
        'the latency and the rate to show in the list',
        async () => {
          const latency = (await row.getByTestId('latency').textContent()) ?? '';
          const rate = (await row.getByTestId('records-per-second').textContent()) ?? '';
          return /\d/.test(latency) && /[1-9]/.test(rate) ? { latency, rate } : undefined;
        },
        { timeoutMs: 60_000, intervalMs: 500 },
      );
      await shot('08-list-live-latency');
      await writing;
      await writer.end();

      // Kafka: every row of the source is in the topic, in the chosen format.
      const expectedEvents = await readRows(database, 'events');
      const folded = await waitFor(
        'every source row in Kafka',
        async () => {
          const result = await foldTopic(topic, format);
          const events = result.tables.get(`${database}.events`);
          return events && events.size === expectedEvents.size && events.has('1200')
            ? result
            : undefined;
        },
        { timeoutMs: 90_000, intervalMs: 2_000 },
      );
      const events = folded.tables.get(`${database}.events`)!;
      const differing = [...expectedEvents].filter(
        ([id, row]) => JSON.stringify(events.get(id)) !== JSON.stringify(row),
      );
      expect(
        differing.slice(0, 3).map(([id, row]) => ({ id, expected: row, got: events.get(id) })),
      ).toEqual([]);
      for (const table of ['customers', 'products', 'orders']) {
        const expectedIds = [...(await readRows('demo_shop', table)).keys()].sort();
        expect(
          [...(folded.tables.get(`demo_shop.${table}`)?.keys() ?? [])].sort(),
          `demo_shop.${table}`,
        ).toEqual(expectedIds);
      }
      expect(folded.inserted.get('demo_shop.page_views')).toBe(
        await countRows('demo_shop', 'page_views'),
      );
      expect(folded.ddl.some((sql) => /CREATE TABLE/i.test(sql))).toBe(true);

      // Details: latency and charts, then pause, resume and release from the console.
      await page.goto(`${new URL(page.url()).origin}/tasks/${taskId}`);
      await expect
        .poll(() => page.getByTestId('details-latency').textContent(), { timeout: 30_000 })
        .toMatch(/\d/);
      await page.getByRole('img', { name: /Records per second over the last hour/ }).waitFor();
      await shot('09-details-live');
      await expectAccessible(page, 'the task details page');
      const header = page.locator('header.page-header');
      await header.getByRole('button', { name: /^Pause/ }).click();
      await header.locator('[data-status="paused"]').waitFor({ timeout: 30_000 });
      await shot('10-paused');
      await header.getByRole('button', { name: /^Resume/ }).click();
      await header.locator('[data-status="running"]').waitFor({ timeout: 30_000 });
      await header.getByRole('button', { name: /^Release/ }).click();
      const dialog = page.getByRole('dialog', { name: `Release task "${name}"?` });
      await dialog.waitFor();
      await shot('11-release-confirmation');
      await dialog.getByRole('button', { name: 'Release' }).click();
      await page.waitForURL((url) => url.pathname === '/tasks', { timeout: 30_000 });
      await page
        .locator(`tr[data-task-id="${taskId}"]`)
        .waitFor({ state: 'detached', timeout: 30_000 });
      await shot('12-released');
      await closePage(page);
    },
  );
});
